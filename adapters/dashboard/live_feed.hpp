#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace frontdesk::http {
class stream_sink;
}

namespace frontdesk::dashboard {

/// One live event as a stream sends it.
struct live_event {
  std::int64_t id = 0;
  std::string business_id;
  std::string kind; // "call", "appointment"
  std::string data; // JSON object
};

/// The text of one Server-Sent Event: `id:`, `event:` and `data:` lines.
std::string sse_frame(const live_event& e);

/// Parses a 'frontdesk_live' notification's payload ({"id", "business_id", "kind", "data"}).
bool parse_live_notification(const std::string& payload, live_event& out);

/// Follows PostgreSQL's 'frontdesk_live' channel on its own connection and thread, and fans each
/// event out to the open event streams of its business, on every node alike (the database's
/// triggers notify whichever node wrote). The thread only waits on the socket and queues bytes
/// to streams (never blocking on a peer); it reconnects after a lost connection. Every 15 s it
/// sends a comment line to each stream, which also finds streams whose peer has gone.
class live_feed {
public:
  /// `on_demand`: the feed holds its connection (and LISTEN) only while `want` has more
  /// callers than `unwant`; else it follows the channel from `start` to `stop`.
  explicit live_feed(std::string conninfo, bool on_demand = false);
  ~live_feed();
  live_feed(const live_feed&) = delete;
  live_feed& operator=(const live_feed&) = delete;

  void start();
  void stop();

  /// A stream of one business. Until `go_live`, events are kept back (the caller replays the
  /// missed ones from the table first); then those past the replay's last id are sent.
  class subscription {
  public:
    /// Sends the replayed events (ascending ids), then what arrived meanwhile, and goes live.
    void go_live(const std::vector<live_event>& replay);

  private:
    friend class live_feed;
    void deliver(const live_event& e);
    std::mutex mtx_;
    std::shared_ptr<http::stream_sink> sink_;
    std::string business_id_;
    bool live_ = false;
    std::int64_t last_id_ = 0;
    std::vector<live_event> held_;
  };

  /// On an on-demand feed a stream counts as a user (`want`, without waiting) until it is
  /// found closed; call `wait_listening` before telling its peer the stream is open.
  std::shared_ptr<subscription> subscribe(const std::string& business_id,
                                          std::shared_ptr<http::stream_sink> sink,
                                          std::int64_t last_event_id);
  /// Waits (up to `wait`; never on an actor's or an I/O thread) until LISTEN is in place.
  bool wait_listening(std::chrono::milliseconds wait);
  /// One more user of an on-demand feed: waits (up to `wait`, on the caller's thread; never an
  /// actor's) until LISTEN is in place, so that what the user reads from the database next
  /// is followed by every later event. False when it was not in place in time.
  bool want(std::chrono::milliseconds wait);
  /// One user fewer (never blocks). With none left, the feed closes its connection: a node
  /// with no one watching parses no event.
  void unwant();
  /// True once LISTEN is in place (tests wait for it).
  bool listening() const { return listening_.load(); }
  std::size_t streams() const;
  /// Delivers an event as if it had been notified (the notification path calls it too).
  void publish(const live_event& e);
  /// Also hands every event, of every business, to `f` (set before start; called on the
  /// feed's thread: must not block). The operator console's gateway follows calls this way.
  void tap(std::function<void(const live_event&)> f) { tap_ = std::move(f); }

private:
  void run();
  void heartbeat();

  std::string conninfo_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> listening_{false};
  const bool on_demand_;
  std::mutex demand_mtx_;
  std::condition_variable demand_cv_; // the thread waits for a user; users wait for LISTEN
  int users_ = 0;
  std::thread thread_;
  mutable std::mutex mtx_;
  std::function<void(const live_event&)> tap_;
  std::multimap<std::string, std::shared_ptr<subscription>> subs_; // by business; dropped
                                                                  // once their stream ends
};

} // namespace frontdesk::dashboard
