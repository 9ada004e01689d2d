#include "protocols/console/tap.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "protocols/audio/mulaw.hpp"

namespace frontdesk::console {

const char* to_string(tap_item::kind k) {
  switch (k) {
  case tap_item::kind::state:
    return "state";
  case tap_item::kind::partial:
    return "partial";
  case tap_item::kind::caller_audio:
    return "caller";
  case tap_item::kind::agent_audio:
    return "agent";
  case tap_item::kind::ended:
    return "ended";
  case tap_item::kind::turn:
    return "turn";
  case tap_item::kind::latency:
    return "latency";
  }
  return "state";
}

// ---------------------------------------------------------------------------------------------

namespace {
std::int64_t epoch_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
} // namespace

void call_tap::publish(tap_item& it, bool audio) {
  // Under the lock: one leg's items reach every subscriber in the order they were published.
  // The serial lets subscribers' sinks share what they make of one item.
  it.serial = ++serial_;
  if (!it.at_us)
    it.at_us = epoch_us();
  for (auto& s : subs_)
    if (s.audio || !audio)
      s.fn(it);
}

void call_tap::state(std::string_view s) {
  if (watchers_.load(std::memory_order_relaxed) == 0) {
    std::lock_guard lk(mtx_); // kept for a watcher that comes later (it hears it first)
    state_ = s;
    return;
  }
  std::lock_guard lk(mtx_);
  if (ended_ || state_ == s)
    return;
  state_ = s;
  tap_item it{tap_item::kind::state, state_, 0, 0, {}};
  publish(it, false);
}

void call_tap::partial(std::string_view words) {
  if (watchers_.load(std::memory_order_relaxed) == 0)
    return;
  std::lock_guard lk(mtx_);
  if (ended_ || words.empty() || partial_ == words)
    return;
  partial_ = words;
  tap_item it{tap_item::kind::partial, partial_, 0, 0, {}};
  publish(it, false);
}

void call_tap::caller_audio(std::span<const std::uint8_t> mulaw) {
  auto n = caller_samples_.fetch_add(mulaw.size(), std::memory_order_relaxed);
  if (listeners_.load(std::memory_order_relaxed) == 0)
    return;
  std::lock_guard lk(mtx_);
  if (ended_)
    return;
  tap_item it{tap_item::kind::caller_audio, "", n, n, {mulaw.begin(), mulaw.end()}};
  publish(it, true);
}

void call_tap::agent_audio(std::span<const std::uint8_t> mulaw) {
  auto n = agent_samples_.fetch_add(mulaw.size(), std::memory_order_relaxed);
  std::lock_guard lk(mtx_);
  auto at = std::max(agent_cursor_, caller_samples_.load(std::memory_order_relaxed));
  agent_cursor_ = at + mulaw.size();
  if (listeners_.load(std::memory_order_relaxed) == 0 || ended_)
    return;
  tap_item it{tap_item::kind::agent_audio, "", n, at, {mulaw.begin(), mulaw.end()}};
  publish(it, true);
}

void call_tap::turn(std::string_view role, std::string_view text, std::int64_t at_ms,
                    bool interrupted) {
  std::lock_guard lk(mtx_);
  if (ended_)
    return;
  tap_item it{tap_item::kind::turn, std::string(text), turns_++,
              static_cast<std::uint64_t>(std::max<std::int64_t>(at_ms, 0)), {}};
  it.role = role;
  it.interrupted = interrupted;
  it.at_us = epoch_us();
  history_.push_back(it);
  if (watchers_.load(std::memory_order_relaxed) > 0)
    publish(it, false);
}

void call_tap::latency(std::string json_object) {
  std::lock_guard lk(mtx_);
  if (ended_)
    return;
  tap_item it{tap_item::kind::latency, std::move(json_object), latencies_++, 0, {}};
  it.at_us = epoch_us();
  history_.push_back(it);
  if (watchers_.load(std::memory_order_relaxed) > 0)
    publish(it, false);
}

void call_tap::end(std::string_view why) {
  std::lock_guard lk(mtx_);
  if (ended_)
    return;
  ended_ = true;
  tap_item it{tap_item::kind::ended, std::string(why), caller_samples_.load(),
              agent_samples_.load(), {}};
  publish(it, false);
  subs_.clear();
  watchers_ = 0;
  listeners_ = 0;
}

std::uint64_t call_tap::subscribe(bool audio, sink s) {
  std::lock_guard lk(mtx_);
  if (ended_)
    return 0;
  auto id = ++next_id_;
  replay_locked(s);
  subs_.push_back({id, audio, std::move(s)});
  ++watchers_;
  if (audio)
    ++listeners_;
  return id;
}

// Replayed items have serial 0: they are this subscriber's alone. The first says it opens a
// subscription (n 1) and where this node's stretch of the call starts (at, ms).
void call_tap::replay_locked(const sink& s) const {
  s(tap_item{tap_item::kind::state, state_, 1,
             static_cast<std::uint64_t>(std::max<std::int64_t>(origin_ms_.load(), 0)), {}});
  for (auto& h : history_) {
    auto copy = h;
    copy.serial = 0;
    s(copy);
  }
}

bool call_tap::replay(const sink& s, const std::function<void()>& then) const {
  std::lock_guard lk(mtx_);
  if (ended_)
    return false;
  replay_locked(s);
  then();
  return true;
}

void call_tap::unsubscribe(std::uint64_t id) {
  std::lock_guard lk(mtx_);
  auto it = std::find_if(subs_.begin(), subs_.end(), [id](const sub& s) { return s.id == id; });
  if (it == subs_.end())
    return;
  --watchers_;
  if (it->audio)
    --listeners_;
  subs_.erase(it);
}

void call_tap::describe(std::string business_id, std::string caller) {
  std::lock_guard lk(mtx_);
  business_id_ = std::move(business_id);
  caller_ = std::move(caller);
}

call_tap::facts call_tap::about() const {
  std::lock_guard lk(mtx_);
  return {business_id_, caller_, ended_};
}

std::string call_tap::current_state() const {
  std::lock_guard lk(mtx_);
  return state_;
}

std::size_t call_tap::subscribers() const {
  std::lock_guard lk(mtx_);
  return subs_.size();
}

// ---------------------------------------------------------------------------------------------

std::shared_ptr<call_tap> call_taps::open(const std::string& call_id) {
  std::lock_guard lk(mtx_);
  auto& t = taps_[call_id];
  if (!t)
    t = std::make_shared<call_tap>();
  return t;
}

std::shared_ptr<call_tap> call_taps::find(const std::string& call_id) const {
  std::lock_guard lk(mtx_);
  auto it = taps_.find(call_id);
  return it == taps_.end() ? nullptr : it->second;
}

void call_taps::close(const std::string& call_id, std::string_view why) {
  std::shared_ptr<call_tap> t;
  {
    std::lock_guard lk(mtx_);
    auto it = taps_.find(call_id);
    if (it == taps_.end())
      return;
    t = std::move(it->second);
    taps_.erase(it);
  }
  t->end(why);
}

bool live_calls::update(const std::string& call_id, row r, bool ended) {
  std::lock_guard lk(mtx_);
  if (ended) {
    rows_.erase(call_id);
    auto& e = ended_[call_id];
    e = {++seq_, r.node};
    ended_order_.emplace_back(call_id, seq_);
    while (ended_order_.size() > max_) {
      auto& [id, seq] = ended_order_.front();
      if (auto old = ended_.find(id); old != ended_.end() && old->second.first == seq)
        ended_.erase(old);
      ended_order_.pop_front();
    }
    return false;
  }
  if (auto e = ended_.find(call_id); e != ended_.end()) {
    if (e->second.second == r.node)
      return false; // a late write of the call that ended
    ended_.erase(e); // taken over by another node: live again
  }
  auto [it, fresh] = rows_.try_emplace(call_id);
  it->second.r = std::move(r);
  if (!fresh)
    return false;
  it->second.seq = ++seq_;
  order_.emplace_back(call_id, seq_);
  while (rows_.size() > max_ && !order_.empty()) {
    auto& [id, seq] = order_.front();
    if (auto old = rows_.find(id); old != rows_.end() && old->second.seq == seq)
      rows_.erase(old);
    order_.pop_front();
  }
  // Ended calls leave their place in the order behind: drop those now and then.
  if (order_.size() > 2 * max_ + 64)
    std::erase_if(order_, [this](const auto& o) {
      auto e = rows_.find(o.first);
      return e == rows_.end() || e->second.seq != o.second;
    });
  return true;
}

std::optional<live_calls::row> live_calls::find(const std::string& call_id) const {
  std::lock_guard lk(mtx_);
  auto it = rows_.find(call_id);
  if (it == rows_.end())
    return std::nullopt;
  return it->second.r;
}

std::size_t live_calls::size() const {
  std::lock_guard lk(mtx_);
  return rows_.size();
}

std::size_t call_taps::size() const {
  std::lock_guard lk(mtx_);
  return taps_.size();
}

// ---------------------------------------------------------------------------------------------

void audio_ring::push(tap_item it) {
  q_.push_back(std::move(it));
  while (q_.size() > max_) {
    // The oldest audio goes; an end stays (it tells the reader its call is over).
    auto victim = std::find_if(q_.begin(), q_.end(),
                               [](const tap_item& x) { return x.k != tap_item::kind::ended; });
    if (victim == q_.end())
      break;
    ++dropped_items_;
    dropped_samples_ += victim->audio.size();
    q_.erase(victim);
  }
}

tap_item audio_ring::pop() {
  auto it = std::move(q_.front());
  q_.pop_front();
  return it;
}

// ---------------------------------------------------------------------------------------------

namespace {
// An hour of audio: a listen never grows past it, whatever positions it is told.
constexpr std::uint64_t max_call_samples = 8000ull * 3600;
} // namespace

void stereo_call::add(bool caller, std::uint64_t at, std::span<const std::uint8_t> mulaw) {
  auto& leg = caller ? left_ : right_;
  auto& got = caller ? got_left_ : got_right_;
  auto& sq = caller ? sq_left_ : sq_right_;
  if (at >= max_call_samples)
    return;
  auto n = std::min<std::uint64_t>(mulaw.size(), max_call_samples - at);
  if (leg.size() < at + n)
    leg.resize(at + n, 0);
  for (std::uint64_t i = 0; i < n; ++i) {
    auto v = audio::mulaw_decode(mulaw[i]);
    leg[at + i] = v;
    sq += double(v) * double(v);
  }
  got += n;
}

double stereo_call::rms(bool caller) const {
  auto got = caller ? got_left_ : got_right_;
  return got == 0 ? 0.0 : std::sqrt((caller ? sq_left_ : sq_right_) / double(got));
}

std::string stereo_call::wav() const {
  auto frames = samples();
  std::string out;
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
      out += static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  auto u16 = [&](std::uint16_t v) {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>(v >> 8);
  };
  auto data_bytes = static_cast<std::uint32_t>(frames * 4);
  out += "RIFF";
  u32(36 + data_bytes);
  out += "WAVEfmt ";
  u32(16);
  u16(1);        // PCM
  u16(2);        // channels
  u32(8000);     // sample rate
  u32(8000 * 4); // bytes a second
  u16(4);        // block align
  u16(16);       // bits a sample
  out += "data";
  u32(data_bytes);
  out.reserve(out.size() + data_bytes);
  for (std::uint64_t i = 0; i < frames; ++i)
    for (auto* leg : {&left_, &right_}) {
      auto v = static_cast<std::uint16_t>(i < leg->size() ? (*leg)[i] : 0);
      u16(v);
    }
  return out;
}

} // namespace frontdesk::console
