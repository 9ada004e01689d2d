#include "adapters/store/database.hpp"

#include <random>

namespace frontdesk::store {

database::database(std::string conninfo, std::size_t pool_size)
    : conninfo_(std::move(conninfo)), size_(pool_size == 0 ? 1 : pool_size) {}

database::~database() = default;

database::lease database::acquire() {
  std::unique_lock lk(mtx_);
  for (;;) {
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return lease(this, std::move(c));
    }
    if (open_ < size_) {
      ++open_;
      lk.unlock();
      try {
        return lease(this, std::make_unique<pqxx::connection>(conninfo_));
      } catch (...) {
        forget_one();
        throw;
      }
    }
    cv_.wait(lk);
  }
}

void database::release(std::unique_ptr<pqxx::connection> c) {
  {
    std::lock_guard lk(mtx_);
    if (c->is_open()) {
      idle_.push_back(std::move(c));
    } else {
      --open_;
    }
  }
  cv_.notify_one();
}

void database::forget_one() {
  {
    std::lock_guard lk(mtx_);
    --open_;
  }
  cv_.notify_one();
}

std::string new_uuid() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  std::uniform_int_distribution<unsigned> nibble(0, 15);
  const char* hex = "0123456789abcdef";
  std::string s = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
  for (auto& c : s) {
    if (c == 'x')
      c = hex[nibble(gen)];
    else if (c == 'y')
      c = hex[8 + nibble(gen) % 4];
  }
  return s;
}

bool database::ping() {
  try {
    return unscoped([](pqxx::work& tx) { return tx.exec1("SELECT 1")[0].as<int>() == 1; });
  } catch (const std::exception&) {
    return false;
  }
}

} // namespace frontdesk::store
