#include "adapters/edge/call_journal.hpp"

#include <utility>

#include <spdlog/spdlog.h>

#include "adapters/workers/pool.hpp"

namespace frontdesk::edge {

call_journal::call_journal(store::database& db, worker_pool& pool, std::string business_id,
                           std::string call_id, std::string call_sid)
    : repo_(db), pool_(pool), business_id_(std::move(business_id)),
      call_id_(std::move(call_id)), call_sid_(std::move(call_sid)) {}

template <class F>
void call_journal::change(F&& f) {
  {
    std::lock_guard lk(mtx_);
    f(pending_);
    ++pending_count_;
    if (writing_)
      return; // the write in flight takes it next
    writing_ = true;
  }
  if (!pool_.post([self = shared_from_this()] { self->flush(); })) {
    std::lock_guard lk(mtx_);
    writing_ = false;
    spdlog::error("call {}: cannot queue a database write (pool full); its {} changes wait for "
                  "the call's next one",
                  call_sid_, pending_count_);
  }
}

void call_journal::streaming(std::string stream_sid, sys_time at) {
  change([&](store::call_changes& c) {
    c.stream = store::call_changes::streaming{std::move(stream_sid), at};
  });
}

void call_journal::turn(store::call_changes::turn t) {
  change([&](store::call_changes& c) { c.turns.push_back(std::move(t)); });
}

void call_journal::latency(std::string json_object) {
  change([&](store::call_changes& c) { c.latencies.push_back(std::move(json_object)); });
}

void call_journal::dialog_state(std::string json) {
  change([&](store::call_changes& c) { c.dialog_state = std::move(json); });
}

void call_journal::transfer(std::string number) {
  change([&](store::call_changes& c) { c.transfer_to = std::move(number); });
}

void call_journal::finish(store::call_changes::results r, store::call_changes::ending e,
                          std::function<void()> then) {
  change([&](store::call_changes& c) {
    c.result = std::move(r);
    c.end = std::move(e);
    then_ = std::move(then);
  });
}

// One job writes until nothing is pending: what arrives while a transaction runs goes into the
// next one. Only this job writes for the call, so the order holds.
void call_journal::flush() {
  for (;;) {
    store::call_changes batch;
    std::size_t count;
    std::function<void()> then;
    {
      std::lock_guard lk(mtx_);
      if (pending_.empty()) {
        writing_ = false;
        return;
      }
      batch = std::exchange(pending_, {});
      count = std::exchange(pending_count_, 0);
      then = std::exchange(then_, {});
    }
    auto r = repo_.apply(business_id_, call_id_, batch);
    {
      std::lock_guard lk(mtx_);
      ++transactions_;
      changes_ += count;
    }
    if (!r) {
      spdlog::error("call {}: {} changes not saved: {}", call_sid_, count, r.error().message);
    } else {
      if (!r->stream)
        spdlog::warn("call {}: stream started for a call that is unknown or already ended",
                     call_sid_);
      if (!r->rows || !r->result)
        spdlog::warn("call {}: transcript or results for an unknown call", call_sid_);
      if (!r->end)
        spdlog::debug("call {}: already ended (a status callback came first)", call_sid_);
    }
    if (then)
      then();
  }
}

std::uint64_t call_journal::transactions() const {
  std::lock_guard lk(mtx_);
  return transactions_;
}

std::uint64_t call_journal::changes() const {
  std::lock_guard lk(mtx_);
  return changes_;
}

std::shared_ptr<call_journal> call_journals::open(const std::string& business_id,
                                                  const std::string& call_id,
                                                  const std::string& call_sid) {
  auto j = std::make_shared<call_journal>(db_, pool_, business_id, call_id, call_sid);
  std::lock_guard lk(mtx_);
  by_call_id_[call_id] = j;
  return j;
}

std::shared_ptr<call_journal> call_journals::find(const std::string& call_id) const {
  std::lock_guard lk(mtx_);
  auto it = by_call_id_.find(call_id);
  return it == by_call_id_.end() ? nullptr : it->second;
}

void call_journals::close(const std::string& call_id) {
  std::lock_guard lk(mtx_);
  by_call_id_.erase(call_id);
}

} // namespace frontdesk::edge
