#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "adapters/store/calls.hpp"

namespace frontdesk {
class worker_pool;
}

namespace frontdesk::edge {

/// One live call's database writes (stream start, transcript turns, latencies, results, end),
/// coalesced: a change waits only for the call's write in flight, and everything that arrived
/// meanwhile goes out in the next transaction, in order. A turn is one transaction, not three
/// (caller's words, reply, latencies), and a node whose pool is busy writes fewer, larger
/// transactions instead of queueing more. At most one write per call is in flight.
///
/// Thread-safe; blocking work runs on the pool. A failed write is logged and not retried (as
/// each single write was before).
class call_journal : public std::enable_shared_from_this<call_journal> {
public:
  call_journal(store::database& db, worker_pool& pool, std::string business_id,
               std::string call_id, std::string call_sid);

  void streaming(std::string stream_sid, sys_time at);
  void turn(store::call_changes::turn t);
  void latency(std::string json_object);
  /// The dialog's state after a reply (the latest replaces any not yet written).
  void dialog_state(std::string json);
  /// A transfer to a person is pending: the number to dial ("": the business's).
  void transfer(std::string number);
  /// The call's last change; `then` runs on the pool once it is written (or failed).
  void finish(store::call_changes::results r, store::call_changes::ending e,
              std::function<void()> then);

  /// Transactions written so far, and changes they carried (for tests and logs).
  std::uint64_t transactions() const;
  std::uint64_t changes() const;

private:
  template <class F>
  void change(F&& f);
  void flush();

  store::calls_repo repo_;
  worker_pool& pool_;
  const std::string business_id_, call_id_, call_sid_;
  mutable std::mutex mtx_;
  store::call_changes pending_;
  std::size_t pending_count_ = 0;
  std::function<void()> then_;
  bool writing_ = false; // a flush job is queued or running
  std::uint64_t transactions_ = 0, changes_ = 0;
};

/// The live calls' journals by call id, shared by the edge (which opens and finishes them) and
/// the call runtime's event sink (which adds turns and latencies).
class call_journals {
public:
  call_journals(store::database& db, worker_pool& pool) : db_(db), pool_(pool) {}
  std::shared_ptr<call_journal> open(const std::string& business_id, const std::string& call_id,
                                     const std::string& call_sid);
  /// Empty when the call has no open journal.
  std::shared_ptr<call_journal> find(const std::string& call_id) const;
  /// No new changes go to it through find(); those already made are still written.
  void close(const std::string& call_id);

private:
  store::database& db_;
  worker_pool& pool_;
  mutable std::mutex mtx_;
  std::unordered_map<std::string, std::shared_ptr<call_journal>> by_call_id_;
};

} // namespace frontdesk::edge
