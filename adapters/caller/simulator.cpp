#include "adapters/caller/simulator.hpp"

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include <boost/json.hpp>

#include "adapters/caller/playback.hpp"
#include "adapters/http/http.hpp"
#include "protocols/audio/mulaw.hpp"
#include "protocols/twilio/form.hpp"
#include "protocols/twilio/media_stream.hpp"
#include "protocols/twilio/signature.hpp"

namespace frontdesk::caller {
namespace {

using clock_t_ = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string xml_unescape(std::string s) {
  static const std::pair<const char*, const char*> ents[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (auto [from, to] : ents)
    for (std::size_t p; (p = s.find(from)) != std::string::npos;)
      s.replace(p, std::string_view(from).size(), to);
  return s;
}

// Value of attribute `name` in the tag starting at `pos`.
std::string attribute(const std::string& xml, std::size_t pos, const std::string& name) {
  auto end = xml.find('>', pos);
  auto tag = xml.substr(pos, end - pos);
  auto at = tag.find(" " + name + "=\"");
  if (at == std::string::npos)
    return "";
  auto start = at + name.size() + 3;
  return xml_unescape(tag.substr(start, tag.find('"', start) - start));
}

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto idx = static_cast<std::size_t>(p * double(v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

// The quiet (frames under ~-36 dBFS) at the end of a caller's words.
std::chrono::milliseconds trailing_silence(const std::vector<std::uint8_t>& words) {
  std::size_t frames = words.size() / audio::frame_samples, quiet = 0;
  for (std::size_t f = frames; f-- > 0; ++quiet) {
    double energy = 0;
    for (std::size_t k = f * audio::frame_samples; k < (f + 1) * audio::frame_samples; ++k) {
      double v = audio::mulaw_decode(words[k]);
      energy += v * v;
    }
    if (energy / double(audio::frame_samples) > 500.0 * 500.0)
      break;
  }
  return std::chrono::milliseconds(20 * quiet);
}

// How often, at most, a caller's own thread looks at its call's state (waiting for the greeting,
// for its words to go out, for the answer). Every time that matters is recorded where it happens
// (the receive callback, the frame clock), so this only decides how soon the caller notices. A
// caller that knows nothing can change before a later time sleeps until then (a hang-up wakes
// it): at 500 callers a 10 ms poll was 50,000 thread wake-ups a second, and a 40 ms one was a
// fifth of the load generator's CPU.
constexpr std::chrono::milliseconds state_poll{40};

double ms_between(clock_t_::time_point a, clock_t_::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

} // namespace

std::string new_sid(const char* prefix) {
  static thread_local std::mt19937_64 gen(std::random_device{}());
  std::uniform_int_distribution<int> d(0, 15);
  std::string s = prefix;
  for (int i = 0; i < 32; ++i)
    s += "0123456789abcdef"[d(gen)];
  return s;
}

std::string sim_report::to_json() const {
  boost::json::object o{{"call_sid", call_sid},
                        {"stream_sid", stream_sid},
                        {"webhook_status", webhook_status},
                        {"first_audio_ms", first_audio_ms},
                        {"frames_sent", frames_sent},
                        {"media_received", media_received},
                        {"bytes_received", bytes_received},
                        {"marks_received", marks_received},
                        {"marks_echoed", marks_echoed},
                        {"clears", clears},
                        {"send_late_ms", {{"p50", send_late_p50_ms},
                                          {"p99", send_late_p99_ms},
                                          {"max", send_late_max_ms}}},
                        {"recv_late_ms", {{"p50", recv_late_p50_ms},
                                          {"p99", recv_late_p99_ms},
                                          {"max", recv_late_max_ms},
                                          {"over_20ms", recv_late_over_20ms}}},
                        {"turn_latency_ms", boost::json::value_from(turn_latency_ms)},
                        {"barge_in_ms", boost::json::value_from(barge_in_ms)},
                        {"turns_unanswered", turns_unanswered},
                        {"ended", ended},
                        {"transferred_to", transferred_to},
                        {"resumes", resumes},
                        {"resume_gap_ms", boost::json::value_from(resume_gap_ms)},
                        {"stream_urls", boost::json::value_from(stream_urls)},
                        {"duration_ms", duration_ms}};
  if (stream_sid.empty())
    o["twiml"] = twiml;
  return boost::json::serialize(o);
}

void split_base_urls(sim_options& o) {
  auto all = o.base_url;
  std::vector<std::string> parts;
  for (std::size_t from = 0; from <= all.size();) {
    auto comma = std::min(all.find(',', from), all.size());
    if (comma > from)
      parts.push_back(all.substr(from, comma - from));
    from = comma + 1;
  }
  if (parts.size() < 2)
    return;
  o.base_url = parts[0];
  o.more_base_urls.insert(o.more_base_urls.begin(), parts.begin() + 1, parts.end());
}

expected<sim_report> simulate_call(const sim_options& options) {
  auto split = options;
  split_base_urls(split);
  const auto& opt = split;
  sim_report rep;
  rep.call_sid = opt.call_sid.empty() ? new_sid("CA") : opt.call_sid;
  auto account = new_sid("AC");
  auto public_url = opt.public_url.empty() ? opt.base_url : opt.public_url;
  while (!public_url.empty() && public_url.back() == '/')
    public_url.pop_back();
  auto trimmed = [](std::string b) {
    while (!b.empty() && b.back() == '/')
      b.pop_back();
    return b;
  };
  std::vector<std::string> bases{trimmed(opt.base_url)};
  for (auto& b : opt.more_base_urls)
    bases.push_back(trimmed(b));
  // A signed form, posted as a balancer forwards it: to the first node that takes the
  // connection. Also which node answered.
  auto post_form = [&](const std::string& path, const std::string& signed_url,
                       const twilio::form& form, const std::string& first = "")
      -> expected<std::pair<http::client_response, std::string>> {
    failure last{"no_node", "no base URL"};
    auto order = bases;
    if (!first.empty())
      order.insert(order.begin(), trimmed(first));
    for (auto& b : order) {
      auto r = http::fetch("POST", b + path,
                           {{"Content-Type", "application/x-www-form-urlencoded"},
                            {"X-Twilio-Signature",
                             twilio::compute_signature(opt.auth_token, signed_url, form)}},
                           twilio::encode_form(form));
      if (r)
        return std::make_pair(std::move(*r), b);
      last = r.error();
    }
    return last;
  };

  // 1. The voice webhook, signed as Twilio signs it.
  twilio::form f;
  for (auto [k, v] : {std::pair<std::string, std::string>{"AccountSid", account},
                      {"ApiVersion", "2010-04-01"}, {"CallSid", rep.call_sid},
                      {"CallStatus", "ringing"}, {"Called", opt.to}, {"Caller", opt.from},
                      {"Direction", "inbound"}, {"From", opt.from}, {"To", opt.to}})
    f.add(k, v);
  auto hook = post_form("/twilio/voice", public_url + "/twilio/voice", f);
  if (!hook)
    return hook.error();
  rep.webhook_status = hook->first.status;
  rep.twiml = hook->first.body;
  if (hook->first.status != 200 || hook->first.body.find("<Stream ") == std::string::npos) {
    rep.ended =
        hook->first.status == 200 ? "no_stream" : "webhook_" + std::to_string(hook->first.status);
    return rep;
  }
  std::string twiml = hook->first.body; // the TwiML of the stream now playing
  std::string base = hook->second;      // the node that answered it

  // 2. The Media Stream, on the node's own host and port, signed over the wss:// URL.
  std::mutex mtx;
  std::condition_variable cv;
  playback pb;
  std::vector<double> arrival_gaps;
  std::optional<clock_t_::time_point> last_arrival;
  clock_t_::time_point playout_end{};
  std::optional<http::close_info> closed;
  clock_t_::time_point closed_at{};
  std::shared_ptr<http::ws_client_pool::connection> conn;
  // Sent from the io thread (receive callbacks, frame ticks) and from this thread.
  std::atomic<std::uint64_t> seq{1};
  auto next_seq = [&] { return seq++; };
  rep.stream_sid = new_sid("MZ");
  clock_t_::time_point started{};
  clock_t_::time_point last_media_at{};
  clock_t_::time_point reply_started_at{}; // first media after a gap of silence from us
  clock_t_::time_point last_clear_at{};
  std::vector<clock_t_::time_point> media_times; // arrival of each media message
  auto first_media_after = [&](clock_t_::time_point t) {
    for (auto& m : media_times)
      if (m > t)
        return m;
    return t;
  };

  // A load run shares one pool of io threads among all its callers; each loop of the pool is
  // also the media clock of its connections.
  auto pool = opt.ws_pool ? opt.ws_pool : std::make_shared<http::ws_client_pool>(1);
  // The pool may outlive this call (a load run shares it): its callbacks reach this call's
  // state only while their stream's guard says it is alive, and ending the call waits for one
  // in flight.
  struct liveness {
    std::mutex mtx;
    bool alive = true;
  };
  struct end_guards {
    std::vector<std::shared_ptr<liveness>> gs;
    void end_all() {
      for (auto& g : gs) {
        std::lock_guard lk(g->mtx);
        g->alive = false;
      }
    }
    ~end_guards() { end_all(); }
  } ending;
  std::optional<clock_t_::time_point> dropped_at; // a stream ended and the call goes on
  std::size_t next_turn = 0;                      // the caller's next turn to say

  // Opens the stream `twiml` names, on the node's own host and port, signed over the wss://
  // URL, and says start.
  auto open_stream = [&]() -> std::optional<failure> {
    auto stream_at = twiml.find("<Stream ");
    auto stream_url = attribute(twiml, stream_at, "url");
    std::map<std::string, std::string> params;
    for (auto p = twiml.find("<Parameter ", stream_at); p != std::string::npos;
         p = twiml.find("<Parameter ", p + 1))
      params[attribute(twiml, p, "name")] = attribute(twiml, p, "value");
    if (rep.stream_urls.empty())
      rep.stream_parameters = params;
    rep.stream_urls.push_back(stream_url);
    auto su = twilio::parse_url(stream_url);
    auto bu = twilio::parse_url(base);
    if (!su || !bu)
      return fail("bad_stream_url", "cannot use <Stream url=\"" + stream_url + "\">");
    std::string ws_url =
        "ws://" + bu->host + ":" + (bu->port.empty() ? "80" : bu->port) + su->path;
    // In a cluster the webhook's node may hand the stream to another node: a plain ws:// URL
    // on another host or port than the one the webhook went to is dialled as given.
    if (su->scheme == "ws" && (su->host != bu->host || su->port != bu->port))
      ws_url = stream_url;
    auto guard = std::make_shared<liveness>();
    ending.end_all(); // the streams before this one are over: nothing of theirs comes in
    ending.gs.push_back(guard);
    {
      std::lock_guard lk(mtx);
      closed.reset();
      last_arrival.reset();
      rep.stream_sid = new_sid("MZ");
    }
    auto c = pool->connect(
      ws_url, {{"X-Twilio-Signature", twilio::compute_signature(opt.auth_token, stream_url, {})}},
      {[&, guard](std::string_view text) {
         std::lock_guard alive_lk(guard->mtx);
         if (!guard->alive)
           return;
         auto m = twilio::parse_to_twilio(text);
         if (!m)
           return;
         auto now = clock_t_::now();
         std::vector<std::string> echo;
         {
           std::lock_guard lk(mtx);
           if (m->kind == twilio::event::media) {
             if (rep.first_audio_ms < 0)
               rep.first_audio_ms = ms_between(started, now);
             if (dropped_at) {
               rep.resume_gap_ms.push_back(ms_between(*dropped_at, now));
               dropped_at.reset();
             }
             ++rep.media_received;
             rep.bytes_received += m->payload.size();
             // Lateness against the playout clock: how long after the audio before it had
             // finished playing this audio arrived (0 while Twilio still had some buffered).
             // A new reply after a silence is not late.
             if (last_arrival) {
               auto late = ms_between(playout_end, now);
               if (late < 200)
                 arrival_gaps.push_back(std::max(0.0, late));
             }
             last_arrival = now;
             playout_end = std::max(playout_end, now) +
                           std::chrono::microseconds(static_cast<long>(m->payload.size()) * 125);
             if (now - last_media_at > 300ms)
               reply_started_at = now;
             pb.on_media(m->payload, now);
             last_media_at = now;
             if (media_times.size() < 100000)
               media_times.push_back(now);
           } else if (m->kind == twilio::event::mark) {
             ++rep.marks_received;
             pb.on_mark(m->mark_name, now);
             echo = pb.due_marks(now);
           } else if (m->kind == twilio::event::clear) {
             ++rep.clears;
             last_clear_at = now;
             echo = pb.on_clear(now);
           }
         }
         for (auto& name : echo) {
           conn->send_text(twilio::inbound_mark_message(next_seq(), rep.stream_sid, name));
           std::lock_guard lk(mtx);
           ++rep.marks_echoed;
         }
       },
       [&, guard](const http::close_info& info) {
         std::lock_guard alive_lk(guard->mtx);
         if (!guard->alive)
           return;
         std::lock_guard lk(mtx);
         closed = info;
         closed_at = clock_t_::now();
         cv.notify_all();
       }});
    if (!c)
      return c.error();
    conn = *c;
    auto start_params = params;
    for (auto& [k, v] : opt.extra_parameters)
      start_params[k] = v;
    // A load generator's script ("a|b|c") goes on from the turn the caller is at.
    if (auto it = start_params.find("script"); it != start_params.end() && next_turn > 0) {
      std::size_t from = 0;
      for (std::size_t k = 0; k < next_turn && from != std::string::npos; ++k) {
        from = it->second.find('|', from);
        if (from != std::string::npos)
          ++from;
      }
      it->second = from == std::string::npos ? "" : it->second.substr(from);
    }
    twilio::stream_start st{rep.stream_sid, account, rep.call_sid, {"inbound"}, start_params,
                            "audio/x-mulaw", 8000, 1};
    conn->send_text(twilio::connected_message());
    if (started == clock_t_::time_point{})
      started = clock_t_::now();
    conn->send_text(twilio::start_message(next_seq(), st));
    return std::nullopt;
  };
  // Like Twilio: asks the <Connect action> of the TwiML now playing what comes after its
  // stream (through the balancer: any node that takes the connection). Nothing when the TwiML
  // has no action or no node answers.
  auto ask_action = [&]() -> std::optional<std::pair<http::client_response, std::string>> {
    auto connect_at = twiml.find("<Connect ");
    if (connect_at == std::string::npos)
      return std::nullopt;
    auto action = attribute(twiml, connect_at, "action");
    auto au = twilio::parse_url(action);
    if (!au)
      return std::nullopt;
    twilio::form af;
    af.add("AccountSid", account);
    af.add("CallSid", rep.call_sid);
    af.add("CallStatus", "in-progress");
    af.add("From", opt.from);
    af.add("To", opt.to);
    auto next = post_form(au->path, action, af, opt.action_base_url);
    if (!next)
      return std::nullopt;
    rep.after_stream_twiml = next->first.body;
    return std::move(*next);
  };
  // A <Stream> that cannot be reached (its node died between the webhook and the stream) ends
  // the <Connect> as one that ended: Twilio asks the action URL, whose answer may be a stream
  // on another node. The caller's gap runs from the failed attempt.
  auto failed = open_stream();
  for (int again = 0; failed && again < opt.max_resumes; ++again) {
    auto failed_at = clock_t_::now();
    auto next = ask_action();
    if (!next || next->first.status != 200 ||
        next->first.body.find("<Stream ") == std::string::npos)
      break;
    twiml = next->first.body;
    base = next->second;
    {
      std::lock_guard lk(mtx);
      dropped_at = failed_at;
    }
    if (!(failed = open_stream()))
      ++rep.resumes;
  }
  if (failed)
    return *failed;

  auto deadline = started + opt.max_call;
  auto echo_due = [&] {
    std::vector<std::string> echo;
    {
      std::lock_guard lk(mtx);
      echo = pb.due_marks(clock_t_::now());
      rep.marks_echoed += echo.size();
    }
    for (auto& name : echo)
      conn->send_text(twilio::inbound_mark_message(next_seq(), rep.stream_sid, name));
  };
  auto is_closed = [&] {
    std::lock_guard lk(mtx);
    return closed.has_value();
  };
  // Sleeps until `t`, at least a poll and at most until `until`, or until the call is closed.
  auto nap_until = [&](clock_t_::time_point t, clock_t_::time_point until) {
    auto now = clock_t_::now();
    t = std::min(std::max(t, now + state_poll), until);
    std::unique_lock lk(mtx);
    cv.wait_until(lk, t, [&] { return closed.has_value(); });
  };
  // Waits while the node talks: until it has been quiet for `quiet` and everything played.
  auto wait_quiet = [&](std::chrono::milliseconds quiet, bool need_audio,
                        clock_t_::time_point until) {
    auto since = clock_t_::now();
    while (clock_t_::now() < std::min(until, deadline) && !is_closed()) {
      if (opt.fast)
        echo_due(); // else the frame clock echoes the marks
      clock_t_::time_point next;
      {
        std::lock_guard lk(mtx);
        auto now = clock_t_::now();
        bool heard = rep.media_received > 0 || !need_audio;
        auto quiet_from = std::max(last_media_at, since);
        if (heard && pb.buffered(now) == 0ms && now - quiet_from >= quiet)
          return;
        // Until the quiet has lasted and what is buffered has played, the answer is no.
        next = heard ? std::max(quiet_from + quiet, now + pb.buffered(now)) : now;
      }
      nap_until(opt.fast ? clock_t_::now() : next, std::min(until, deadline));
    }
  };


  // 3. The caller speaks. Like Twilio, a frame every 20 ms for the whole call: the caller's
  // words when there are any, silence otherwise (in fast mode: the words, at once, only).
  std::vector<double> late;
  const int speed = std::max(1, opt.words_speed);
  std::deque<std::uint8_t> to_say;
  std::atomic<bool> stop_sending{false};
  std::optional<clock_t_::time_point> words_done_at, words_started_at;
  std::uint64_t chunk = 1;
  auto send_frame = [&](std::vector<std::uint8_t>& frame) {
    conn->send_text(twilio::inbound_media_message(next_seq(), rep.stream_sid, chunk,
                                                  (chunk - 1) * 20, frame));
    ++chunk;
    std::lock_guard lk(mtx);
    ++rep.frames_sent;
  };
  // Takes the next frame of words, if any (under the lock), and notes when the words end.
  auto next_words = [&](std::vector<std::uint8_t>& frame) {
    std::lock_guard lk(mtx);
    if (to_say.empty())
      return false;
    if (!words_started_at)
      words_started_at = clock_t_::now();
    std::size_t n = std::min<std::size_t>(audio::frame_samples, to_say.size());
    frame.assign(to_say.begin(), to_say.begin() + static_cast<long>(n));
    to_say.erase(to_say.begin(), to_say.begin() + static_cast<long>(n));
    frame.resize(audio::frame_samples, audio::mulaw_silence);
    if (to_say.empty())
      words_done_at = clock_t_::now();
    return true;
  };
  std::vector<std::uint8_t> frame_buf;
  auto start_ticking = [&] {
    if (!opt.fast)
      conn->tick_every_frame([&](double late_ms) {
        if (stop_sending || is_closed())
          return;
        late.push_back(late_ms);
        if (!next_words(frame_buf)) {
          frame_buf.assign(audio::frame_samples, audio::mulaw_silence);
          send_frame(frame_buf);
        } else {
          send_frame(frame_buf);
          for (int k = 1; k < speed && next_words(frame_buf); ++k)
            send_frame(frame_buf);
        }
        echo_due();
      });
  };
  start_ticking();
  // Speaks one turn and waits until its last frame went out.
  auto say_turn = [&](const std::vector<std::uint8_t>& words) {
    {
      std::lock_guard lk(mtx);
      to_say.insert(to_say.end(), words.begin(), words.end());
      words_done_at.reset();
      words_started_at.reset();
    }
    if (opt.fast) {
      std::vector<std::uint8_t> frame;
      while (next_words(frame))
        send_frame(frame);
      return;
    }
    while (!is_closed() && clock_t_::now() < deadline) {
      clock_t_::time_point next;
      {
        std::lock_guard lk(mtx);
        if (words_done_at)
          return;
        // The frame clock sends the rest in real time (8 samples a millisecond), or faster.
        next = clock_t_::now() + std::chrono::milliseconds(to_say.size() / 8 / speed);
      }
      nap_until(next, deadline);
    }
  };
  // After a turn: the time from its last frame to the first reply frame.
  auto measure_reply = [&](clock_t_::time_point words_end, std::uint64_t media_before) {
    auto until = std::min(deadline, words_end + 10s);
    while (clock_t_::now() < until && !is_closed()) {
      {
        std::lock_guard lk(mtx);
        if (rep.media_received > media_before && last_media_at > words_end) {
          rep.turn_latency_ms.push_back(ms_between(words_end, first_media_after(words_end)));
          return true;
        }
      }
      nap_until(clock_t_::now(), until);
    }
    if (is_closed())
      return false; // the stream ended first: said again on the next one, if there is one
    std::lock_guard lk(mtx);
    ++rep.turns_unanswered;
    return true;
  };

  std::vector<sim_options::turn> turns;
  if (!opt.audio.empty())
    turns.push_back({opt.audio, 0ms});
  turns.insert(turns.end(), opt.turns.begin(), opt.turns.end());
  for (int stream = 0;; ++stream) {
  std::size_t i = next_turn;
  for (; i < turns.size() && !is_closed() && clock_t_::now() < deadline; ++i) {
    auto& t = turns[i];
    if (t.interrupt_after > 0ms) {
      // Barge in: wait until the answer has been playing this long, then speak over it.
      auto until = std::min(deadline, clock_t_::now() + 15s);
      while (clock_t_::now() < until && !is_closed()) {
        {
          std::lock_guard lk(mtx);
          if (rep.media_received > 0 &&
              clock_t_::now() - last_media_at < 100ms && pb.buffered(clock_t_::now()) > 0ms &&
              clock_t_::now() - reply_started_at >= t.interrupt_after)
            break;
        }
        std::this_thread::sleep_for(5ms);
      }
      std::uint64_t clears_before;
      {
        std::lock_guard lk(mtx);
        clears_before = rep.clears;
      }
      // Barge-in is timed from the first frame with speech in it, not from leading silence.
      std::size_t lead = 0;
      while (lead + audio::frame_samples <= t.audio.size()) {
        double energy = 0;
        for (std::size_t k = lead; k < lead + audio::frame_samples; ++k) {
          double v = audio::mulaw_decode(t.audio[k]);
          energy += v * v;
        }
        if (energy / double(audio::frame_samples) > 500.0 * 500.0)
          break;
        lead += audio::frame_samples;
      }
      auto spoke_at = clock_t_::now() + std::chrono::milliseconds(lead / 8);
      {
        std::lock_guard lk(mtx);
        to_say.insert(to_say.end(), t.audio.begin(), t.audio.end());
        words_done_at.reset();
        words_started_at.reset();
      }
      // Wait for the clear (or give up 3 s after the words ended).
      for (bool done = false; !done && !is_closed() && clock_t_::now() < deadline;) {
        {
          std::lock_guard lk(mtx);
          if (rep.clears > clears_before) {
            rep.barge_in_ms.push_back(ms_between(spoke_at, last_clear_at));
            done = true;
          } else if (words_done_at && clock_t_::now() - *words_done_at > 3s) {
            done = true;
          }
        }
        if (!done)
          std::this_thread::sleep_for(state_poll);
      }
      say_turn({});
      continue;
    }
    if (i > 0 || opt.wait_for_greeting)
      wait_quiet(opt.answer_quiet, true, clock_t_::now() + (i == 0 ? opt.greeting_timeout : 20s));
    if (i == 0 && opt.wait_before_speaking > 0ms)
      std::this_thread::sleep_for(opt.wait_before_speaking);
    std::uint64_t media_before;
    {
      std::lock_guard lk(mtx);
      media_before = rep.media_received;
    }
    say_turn(t.audio);
    if (is_closed())
      break; // cut off while speaking: this turn is said again on the next stream, if any
    std::optional<clock_t_::time_point> end;
    {
      std::lock_guard lk(mtx);
      end = words_done_at;
    }
    // Timed from the last frame with speech in it: synthesised words end in silence.
    if (end && !opt.fast && !measure_reply(*end - trailing_silence(t.audio) / speed, media_before))
      break; // unanswered when the stream ended: this turn is said again
  }
  next_turn = i;
  if (!is_closed()) {
    for (auto& d : opt.dtmf)
      conn->send_text(twilio::dtmf_message(next_seq(), rep.stream_sid, d));
    // 4. Listen to the answer, then hang up.
    wait_quiet(opt.quiet_to_hang_up, false, deadline);
  }
  if (!is_closed()) {
    conn->send_text(twilio::stop_message(next_seq(), rep.stream_sid, account, rep.call_sid));
    conn->close(1000, "caller hung up");
    rep.ended = "caller_hung_up";
  }
  conn->stop_ticking(); // after this the clock no longer calls into this stream
  std::unique_lock lk(mtx);
  cv.wait_for(lk, 3s, [&] { return closed.has_value(); });
  if (rep.ended.empty() && closed)
    rep.ended = "server_closed:" + std::to_string(closed->code) + ":" + closed->reason;
  auto stream_ended_at = closed_at;
  lk.unlock();
  // Like Twilio: when the node ended the stream, it asks the <Connect action> what comes next
  // (through the balancer: any node that takes the connection). A new <Stream> means the call
  // goes on there (its node was lost and another took it over).
  if (rep.ended.rfind("server_closed", 0) != 0)
    break;
  auto next = ask_action();
  if (!next)
    break;
  auto n = next->first.body.find("<Number>");
  if (n != std::string::npos)
    rep.transferred_to =
        next->first.body.substr(n + 8, next->first.body.find("</Number>", n) - n - 8);
  if (next->first.status != 200 || next->first.body.find("<Stream ") == std::string::npos ||
      stream >= opt.max_resumes || clock_t_::now() >= deadline)
    break;
  twiml = next->first.body;
  base = next->second;
  {
    std::lock_guard relk(mtx);
    // What was left of the words being said when the line went dead is not sent into the new
    // stream: the turn is said again, whole, once the node has spoken.
    to_say.clear();
    words_done_at.reset();
    words_started_at.reset();
    dropped_at = stream_ended_at;
    last_media_at = clock_t_::now(); // the new stream's greeting is waited for afresh
  }
  if (auto failed = open_stream()) {
    rep.ended = "resume_failed:" + failed->code;
    break;
  }
  rep.ended.clear();
  ++rep.resumes;
  start_ticking();
  // The next turn waits for the node's first words on the new stream ("Sorry, we were cut
  // off...") and for them to end.
  for (auto until = clock_t_::now() + opt.greeting_timeout;
       clock_t_::now() < until && !is_closed();) {
    {
      std::lock_guard wl(mtx);
      if (!dropped_at)
        break;
    }
    nap_until(clock_t_::now(), until);
  }
  }
  stop_sending = true;
  std::unique_lock lk(mtx);
  rep.duration_ms = ms_between(started, clock_t_::now());
  rep.send_late_p50_ms = percentile(late, 0.50);
  rep.send_late_p99_ms = percentile(late, 0.99);
  rep.send_late_max_ms = late.empty() ? 0 : *std::max_element(late.begin(), late.end());
  rep.received_audio = pb.received();
  rep.recv_late_p50_ms = percentile(arrival_gaps, 0.50);
  rep.recv_late_p99_ms = percentile(arrival_gaps, 0.99);
  rep.recv_late_max_ms =
      arrival_gaps.empty() ? 0 : *std::max_element(arrival_gaps.begin(), arrival_gaps.end());
  rep.recv_late_over_20ms = static_cast<std::uint64_t>(
      std::count_if(arrival_gaps.begin(), arrival_gaps.end(), [](double g) { return g > 20; }));
  return rep;
}

} // namespace frontdesk::caller
