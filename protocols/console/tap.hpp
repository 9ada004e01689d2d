#pragma once

// What a live call tells the consoles that watch or listen to it, as it happens: its state
// (listening, thinking, speaking, on hold), the caller's partial words, its turns and their
// latencies, and its audio, both sides. The call's actors publish into a `call_tap` from whatever thread they run on; with
// nobody watching that costs one atomic load. Subscribers are plain functions (the node's
// console side makes them send actor messages), called on the publishing thread: they must
// never block. Free of actors and sockets.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace frontdesk::console {

/// One thing a call tells its subscribers.
struct tap_item {
  enum class kind : std::uint8_t { state, partial, caller_audio, agent_audio, ended, turn, latency };
  kind k = kind::state;
  std::string text;                // state, partial; ended: why; turn: words; latency: JSON
  std::uint64_t n = 0;             // audio: the leg's first sample, counted from the call's start;
                                   // turn, latency: its number on this node (from 0)
  std::uint64_t at = 0;            // audio: where it plays on the caller's clock (samples);
                                   // turn: ms since the call was answered
  std::vector<std::uint8_t> audio; // μ-law, 8 kHz
  std::string role;                // turn: "caller", "agent", "operator" or "system"
  bool interrupted = false;        // turn: cut short by the caller
  std::uint64_t serial = 0;        // this item's number among everything the tap published
  std::int64_t at_us = 0;          // when the tap was told (µs since the epoch)
};

const char* to_string(tap_item::kind k);

/// One live call's tap.
class call_tap {
public:
  using sink = std::function<void(const tap_item&)>;

  /// The call's state: "listening", "thinking", "speaking" or "on_hold". Repeats are not sent.
  void state(std::string_view s);
  /// The caller's words so far in the current turn. Repeats are not sent.
  void partial(std::string_view words);
  /// The caller's next frame(s), in order (Twilio's inbound clock).
  void caller_audio(std::span<const std::uint8_t> mulaw);
  /// What the receptionist sent, in order; placed at the caller's clock now (or right after
  /// the agent's previous audio when that runs ahead, as sent audio is buffered ahead).
  void agent_audio(std::span<const std::uint8_t> mulaw);
  /// A turn of the transcript, in the order it is saved (`at_ms` since the call was answered).
  /// Kept for later watchers (they hear every turn of the call so far first), and published.
  void turn(std::string_view role, std::string_view text, std::int64_t at_ms, bool interrupted);
  /// A caller turn's latency (a JSON object), kept and published as turns are.
  void latency(std::string json_object);
  /// Where this node's stretch of the call starts (ms since the call was answered): a call taken
  /// over from a lost node has earlier turns only in its saved transcript.
  void origin_ms(std::int64_t ms) { origin_ms_.store(ms); }
  std::int64_t origin_ms() const { return origin_ms_.load(); }
  /// The call ended: every subscriber hears `ended` once and is dropped.
  void end(std::string_view why);

  /// Subscribes to the state, partial words, turns and latencies (`audio` false) or to the
  /// audio too. A new subscriber first hears the current state, then every turn and latency
  /// so far in order (numbered from 0: it can tell them from what it read elsewhere), then
  /// what happens live. That first state has n 1 and `at` the origin_ms(); replayed items
  /// have serial 0. Returns an id for unsubscribe; 0 after the end.
  std::uint64_t subscribe(bool audio, sink s);
  void unsubscribe(std::uint64_t id);
  /// What subscribe() first tells a new subscriber (the current state, then every turn and
  /// latency so far), told to `s`; then `then()`, all under the tap's lock: nothing published
  /// comes between them. So a subscriber shared by several watchers (one per console process)
  /// adds a watcher in `then` and the watcher misses nothing and hears nothing twice. False
  /// (and nothing called) after the end.
  bool replay(const sink& s, const std::function<void()>& then) const;

  /// Whose call this is, told by the call's actors when they start: a console's watch of a
  /// live call here needs no read of the database to check its scope. A tap opened by an
  /// early subscriber has none until then.
  void describe(std::string business_id, std::string caller);
  struct facts {
    std::string business_id, caller; // empty: not told yet
    bool ended = false;
  };
  facts about() const;

  std::string current_state() const;
  std::uint64_t caller_samples() const { return caller_samples_.load(); }
  std::uint64_t agent_samples() const { return agent_samples_.load(); }
  std::size_t subscribers() const;

private:
  struct sub {
    std::uint64_t id;
    bool audio;
    sink fn;
  };
  void publish(tap_item& it, bool audio);
  void replay_locked(const sink& s) const;

  mutable std::mutex mtx_;
  std::vector<sub> subs_;
  std::uint64_t next_id_ = 0;
  bool ended_ = false;
  std::string state_ = "listening", partial_;
  std::string business_id_, caller_;
  std::uint64_t agent_cursor_ = 0; // where the agent's next audio plays on the caller's clock
  std::uint64_t serial_ = 0;
  std::vector<tap_item> history_; // turns and latencies, for later subscribers
  std::uint64_t turns_ = 0, latencies_ = 0;
  std::atomic<std::int64_t> origin_ms_{0};
  std::atomic<int> watchers_{0}, listeners_{0};
  std::atomic<std::uint64_t> caller_samples_{0}, agent_samples_{0};
};

/// A node's live calls' taps, by call id (thread-safe).
class call_taps {
public:
  /// The call's tap (made on first use: a subscriber may come before the call's actors).
  std::shared_ptr<call_tap> open(const std::string& call_id);
  /// The call's tap if its call lives here.
  std::shared_ptr<call_tap> find(const std::string& call_id) const;
  /// The call ended: its tap tells its subscribers and is forgotten.
  void close(const std::string& call_id, std::string_view why);
  std::size_t size() const;

private:
  mutable std::mutex mtx_;
  std::map<std::string, std::shared_ptr<call_tap>> taps_;
};

/// What the live feed (the database's notifications of call rows) last said of each call that
/// has not ended, as the console gateway reads it: a watch of a call that has only its first row
/// (its stream, actors and tap not started yet) learns the call's business, node and caller here,
/// not from a read of the row. Thread-safe; at most `max_calls` kept (the oldest go first).
class live_calls {
public:
  struct row {
    std::string business_id, node, caller, status, started_at;
    long long turns = 0; // turns in the row's transcript
  };
  explicit live_calls(std::size_t max_calls = 20000) : max_(max_calls) {}
  /// A change of call `call_id`: kept while the call lasts, forgotten when `ended`. True when
  /// the call was not known (its first row, or the first since it was forgotten). A row of a
  /// call that ended lately (one of the last `max_calls` to end) is a late write of its own,
  /// not a live call: ignored (unless another node has it: a call taken over from a lost node
  /// opens again).
  bool update(const std::string& call_id, row r, bool ended);
  std::optional<row> find(const std::string& call_id) const;
  std::size_t size() const;

private:
  struct entry {
    row r;
    std::uint64_t seq = 0; // when first seen (the oldest go first when full)
  };
  mutable std::mutex mtx_;
  std::size_t max_;
  std::unordered_map<std::string, entry> rows_;
  std::deque<std::pair<std::string, std::uint64_t>> order_; // first seen, oldest first
  std::uint64_t seq_ = 0;
  // Lately ended calls: when, and on which node.
  std::unordered_map<std::string, std::pair<std::uint64_t, std::string>> ended_;
  std::deque<std::pair<std::string, std::uint64_t>> ended_order_;
};

/// A bounded queue of audio for a reader that may be slow: when full, the oldest item goes
/// (a listener hears the present, late, rather than the past ever later), and the drops are
/// counted. An `ended` item is never dropped.
class audio_ring {
public:
  explicit audio_ring(std::size_t max_items) : max_(max_items) {}
  void push(tap_item it);
  bool empty() const { return q_.empty(); }
  std::size_t size() const { return q_.size(); }
  tap_item pop();
  std::uint64_t dropped_items() const { return dropped_items_; }
  std::uint64_t dropped_samples() const { return dropped_samples_; }

private:
  std::size_t max_;
  std::deque<tap_item> q_;
  std::uint64_t dropped_items_ = 0, dropped_samples_ = 0;
};

/// A listened call as a WAV file's bytes: 16-bit PCM, 8 kHz, two channels (left the caller,
/// right the receptionist), each leg's μ-law samples placed at their position on the caller's
/// clock (silence where none came).
class stereo_call {
public:
  /// Audio of a leg at sample position `at` (relative to the first audio heard).
  void add(bool caller, std::uint64_t at, std::span<const std::uint8_t> mulaw);
  std::string wav() const;
  std::uint64_t samples() const { return std::max(left_.size(), right_.size()); }
  /// Root mean square of a leg's linear samples over what was received of it.
  double rms(bool caller) const;
  std::uint64_t received(bool caller) const { return caller ? got_left_ : got_right_; }

private:
  std::vector<std::int16_t> left_, right_;
  std::uint64_t got_left_ = 0, got_right_ = 0;
  double sq_left_ = 0, sq_right_ = 0;
};

} // namespace frontdesk::console
