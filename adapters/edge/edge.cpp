#include "adapters/edge/edge.hpp"

#include <algorithm>
#include <mutex>

#include <malloc.h>
#include <set>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "protocols/call/latency_json.hpp"
#include "protocols/call/call_port.hpp"
#include "adapters/clock/clock.hpp"
#include "adapters/edge/call_journal.hpp"
#include "adapters/http/http.hpp"
#include "adapters/log/log.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/store/calls.hpp"
#include "adapters/store/database.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/audio/mulaw.hpp"
#include "protocols/twilio/form.hpp"
#include "protocols/twilio/media_stream.hpp"
#include "protocols/twilio/signature.hpp"
#include "protocols/twilio/twiml.hpp"

namespace frontdesk::edge {
namespace {

http::response xml(std::string body) {
  return http::response{200, "text/xml; charset=utf-8", std::move(body), {}};
}
http::response text(int status, std::string body) {
  return http::response{status, "text/plain; charset=utf-8", std::move(body) + "\n", {}};
}

// The caller goes to a person: <Dial> from our own number (`to`, which Twilio allows as caller
// id).
http::response dial(const std::string& number, const std::string& to) {
  twilio::twiml::dial_options opts;
  opts.caller_id = to;
  opts.timeout_seconds = 30;
  return xml(twilio::twiml().dial(number, opts).str());
}

std::string trim_slash(std::string s) {
  while (!s.empty() && s.back() == '/')
    s.pop_back();
  return s;
}

} // namespace

struct twilio_edge::impl : std::enable_shared_from_this<twilio_edge::impl> {
  edge_settings settings;
  http::server& server;
  store::database& db;
  store::calls_repo calls_repo;
  worker_pool& blocking;
  call::call_port& calls;
  const clock& clk;
  std::string media_url;
  std::string webhook_url; // what Twilio requests webhooks at: the balancer's, or this node's
  std::shared_ptr<transfer_book> transfers;
  std::shared_ptr<call_journals> journals;
  std::atomic<bool> taking_calls{true};
  std::atomic<std::size_t> sessions{0};

  // What the voice webhook learned of each business, for the stream that follows it.
  std::mutex business_mtx;
  std::unordered_map<std::string, store::business_ref> businesses;

  std::vector<std::function<std::string()>> readiness_checks; // more reasons for /ready to fail

  // Calls this node took over from a lost node (by CallSid), for the stream that follows.
  std::mutex resume_mtx;
  std::unordered_map<std::string, store::call_taken_over> resumes;

  // Live calls by CallSid, so a status callback can end one.
  std::mutex live_mtx;
  std::unordered_map<std::string, std::weak_ptr<call::call_handle>> live_by_sid;

  struct counters {
    metrics::counter *voice_ok, *voice_forbidden, *voice_unknown_number, *voice_busy,
        *voice_bad_request, *voice_error, *status_ok, *status_forbidden, *calls_total,
        *calls_booked, *frames_in, *frames_out, *frames_dropped, *bad_messages, *ws_refused;
    metrics::gauge* sessions;
  } m{};

  impl(edge_settings s, http::server& srv, store::database& d, worker_pool& w,
       call::call_port& c, metrics::registry& reg, const clock& k,
       std::shared_ptr<transfer_book> t, std::shared_ptr<call_journals> j)
      : settings(std::move(s)), server(srv), db(d), calls_repo(d), blocking(w), calls(c),
        clk(k), transfers(std::move(t)), journals(std::move(j)) {
    settings.public_url = trim_slash(settings.public_url);
    settings.cluster_url = trim_slash(settings.cluster_url);
    webhook_url = settings.cluster_url.empty() ? settings.public_url : settings.cluster_url;
    auto u = twilio::media_stream_url(settings.public_url);
    media_url = u ? *u : "";
    auto wh = [&](const char* result) {
      return &reg.add_counter("frontdesk_webhooks_total", "Twilio webhooks by route and result.",
                              std::string("route=\"voice\",result=\"") + result + "\"");
    };
    m.voice_ok = wh("ok");
    m.voice_forbidden = wh("forbidden");
    m.voice_unknown_number = wh("unknown_number");
    m.voice_busy = wh("busy");
    m.voice_bad_request = wh("bad_request");
    m.voice_error = wh("error");
    m.status_ok = &reg.add_counter("frontdesk_webhooks_total", "Twilio webhooks by route and result.",
                                   "route=\"status\",result=\"ok\"");
    m.status_forbidden = &reg.add_counter("frontdesk_webhooks_total",
                                          "Twilio webhooks by route and result.",
                                          "route=\"status\",result=\"forbidden\"");
    m.calls_total = &reg.add_counter("frontdesk_calls_total", "Media streams started.");
    m.calls_booked = &reg.add_counter("frontdesk_calls_booked_total",
                                      "Calls that ended with an appointment booked by the dialog.");
    m.frames_in = &reg.add_counter("frontdesk_frames_in_total", "Inbound audio frames.");
    m.frames_out = &reg.add_counter("frontdesk_frames_out_total", "Outbound audio frames queued.");
    m.frames_dropped = &reg.add_counter("frontdesk_frames_dropped_total",
                                        "Inbound frames dropped (bad, early, wrong stream) and "
                                        "outbound frames refused (queue full).");
    m.bad_messages = &reg.add_counter("frontdesk_stream_bad_messages_total",
                                      "Media Stream messages that were not understood.");
    m.ws_refused = &reg.add_counter("frontdesk_stream_refused_total",
                                    "Media Stream upgrades refused (bad signature, draining).");
    m.sessions = &reg.add_gauge("frontdesk_streams_live", "Media Stream sessions open.");
  }

  // The URL Twilio requested, as it signed it.
  std::string signed_url(const http::request& r, const std::string& base) const {
    return base + r.target;
  }

  bool signature_ok(const http::request& r, const twilio::form& f) const {
    if (!settings.validate_signatures)
      return true;
    return twilio::validate_signature(settings.auth_token, signed_url(r, webhook_url), f,
                                      r.header("X-Twilio-Signature"));
  }

  void voice(http::request r, std::function<void(http::response)> respond);
  void after_stream(http::request r, std::function<void(http::response)> respond);
  http::response resume_or_end(const twilio::form& f);
  void status(http::request r, std::function<void(http::response)> respond);
  std::shared_ptr<http::ws_handler> media(const http::request& r);
};

// ---------------------------------------------------------------------------------------------
// POST /twilio/voice

void twilio_edge::impl::voice(http::request r, std::function<void(http::response)> respond) {
  auto f = twilio::parse_form(r.body);
  if (!f) {
    m.voice_bad_request->inc();
    spdlog::warn("voice webhook from {}: {}", r.remote, f.error().message);
    return respond(text(400, "bad form body"));
  }
  if (!signature_ok(r, *f)) {
    m.voice_forbidden->inc();
    spdlog::warn("voice webhook from {}: missing or bad X-Twilio-Signature; refused", r.remote);
    return respond(text(403, "forbidden"));
  }
  auto call_sid = f->value("CallSid");
  auto to = f->value("To");
  if (call_sid.empty() || to.empty()) {
    m.voice_bad_request->inc();
    return respond(text(400, "CallSid and To are required"));
  }
  auto self = shared_from_this();
  bool queued = blocking.post([self, form = std::move(*f), call_sid, to, respond] {
    auto& m = self->m;
    auto business = self->calls_repo.business_for_number(to);
    if (!business) {
      m.voice_error->inc();
      spdlog::error("voice webhook {}: {}", call_sid, business.error().message);
      return respond(xml(twilio::twiml()
                             .say("We're sorry, we can't take your call right now. Please try "
                                  "again later.")
                             .hangup()
                             .str()));
    }
    if (!*business) {
      m.voice_unknown_number->inc();
      spdlog::info("voice webhook {}: no business has the number {}", call_sid, to);
      return respond(xml(twilio::twiml()
                             .say("Sorry, this number is not in service. Goodbye.")
                             .hangup()
                             .str()));
    }
    auto& b = **business;
    {
      std::lock_guard lk(self->business_mtx);
      self->businesses[b.id] = b;
    }
    auto ctx = log::context().with("call", call_sid).with("business", b.id);
    // In a cluster, a loaded node hands the call's media to one with room.
    auto carrier = self->settings.node_name;
    auto media = self->media_url;
    if (self->settings.place_call) {
      auto [name, url] = self->settings.place_call();
      if (name != carrier)
        if (auto u = twilio::media_stream_url(trim_slash(url))) {
          carrier = name;
          media = *u;
        }
    }
    if (carrier == self->settings.node_name &&
        (!self->taking_calls || self->calls.live() >= self->settings.max_calls)) {
      m.voice_busy->inc();
      ctx.warn("all lines busy ({} live); call refused politely", self->calls.live());
      return respond(xml(twilio::twiml()
                             .say("Thank you for calling " + b.name +
                                  ". All of our lines are busy. Please call back in a few "
                                  "minutes.")
                             .hangup()
                             .str()));
    }
    auto c = self->calls_repo.open_call(
        b.id, store::call_start{call_sid, form.value("From"), to, carrier, self->clk.now()});
    if (!c) {
      m.voice_error->inc();
      ctx.error("cannot record the call: {}", c.error().message);
      return respond(xml(twilio::twiml()
                             .say("We're sorry, we can't take your call right now.")
                             .hangup()
                             .str()));
    }
    m.voice_ok->inc();
    ctx.info("{} call from {} to {}: streaming to {}", c->created ? "new" : "repeated",
             form.value("From"), to, media);
    respond(xml(twilio::twiml()
                    .connect_stream(media,
                                    {{"callId", c->id}, {"businessId", b.id},
                                     {"caller", form.value("From")}},
                                    "", self->webhook_url + "/twilio/after-stream")
                    .str()));
  });
  if (!queued) {
    m.voice_busy->inc();
    respond(text(503, "busy"));
  }
}

// ---------------------------------------------------------------------------------------------
// POST /twilio/after-stream: Twilio asks what comes after the stream (the <Connect action>)

void twilio_edge::impl::after_stream(http::request r, std::function<void(http::response)> respond) {
  auto f = twilio::parse_form(r.body);
  if (!f)
    return respond(text(400, "bad form body"));
  if (!signature_ok(r, *f)) {
    spdlog::warn("after-stream from {}: missing or bad X-Twilio-Signature; refused", r.remote);
    return respond(text(403, "forbidden"));
  }
  std::string business_id, number;
  {
    std::lock_guard lk(transfers->mtx);
    auto it = transfers->by_call_sid.find(f->value("CallSid"));
    if (it != transfers->by_call_sid.end()) {
      business_id = it->second;
      transfers->by_call_sid.erase(it);
    }
    if (auto n = transfers->number_by_call_sid.find(f->value("CallSid"));
        n != transfers->number_by_call_sid.end()) {
      number = n->second; // an operator named it
      transfers->number_by_call_sid.erase(n);
    }
  }
  std::string business_number;
  if (!business_id.empty() && number.empty()) {
    std::lock_guard lk(business_mtx);
    if (auto it = businesses.find(business_id); it != businesses.end())
      number = it->second.transfer_number;
  }
  if (number.empty()) {
    // Not a transfer: the call ended, or its node was lost mid-call and this node takes it
    // over. Database work, and perhaps a short wait: on the pool.
    if (f->value("CallSid").empty())
      return respond(text(400, "CallSid is required"));
    auto self = shared_from_this();
    bool queued = blocking.post(
        [self, form = std::move(*f), respond] { respond(self->resume_or_end(form)); });
    if (!queued)
      respond(text(503, "busy"));
    return;
  }
  log::context().with("call", f->value("CallSid")).with("business", business_id)
      .info("handing the caller to {}", number);
  respond(dial(number, f->value("To")));
}

// The stream of a call ended. If the node that carried it is gone (killed, cut off) while the
// call is not over, this node takes the call over: the same call row, transcript and dialog
// state, on a fresh <Connect><Stream> to itself. Otherwise the call ends as Twilio expects.
// Runs on the pool.
http::response twilio_edge::impl::resume_or_end(const twilio::form& f) {
  auto call_sid = f.value("CallSid");
  auto hang_up = [] { return xml(twilio::twiml().hangup().str()); };
  auto until = std::chrono::steady_clock::now() + settings.resume_wait;
  for (;;) {
    auto c = calls_repo.after_stream(call_sid);
    if (!c) {
      spdlog::error("after-stream {}: {}", call_sid, c.error().message);
      return hang_up();
    }
    if (!*c)
      return text(404, "unknown call");
    auto& call = **c;
    // A transfer to a person asked on the node that carried the call: dialled from here too.
    if (!call.transfer_number.empty()) {
      log::context().with("call", call_sid).with("business", call.business_id)
          .info("handing the caller to {} (transfer asked on {})", call.transfer_number,
                call.node);
      return dial(call.transfer_number, f.value("To"));
    }
    // Cut off by its node (lost, or drained at shutdown with the call still going): the caller
    // is still there. Any other end was the call's own.
    bool cut_off = call.ended && (call.end_reason == "node_lost" ||
                                  (settings.node_alive && call.end_reason == "node_shutdown"));
    if (call.ended && !cut_off)
      return hang_up();
    // Ended here (the caller hung up, the dialog said goodbye), or its node is still with us.
    if (call.node == settings.node_name)
      return hang_up();
    bool lost = cut_off || (settings.node_alive && !settings.node_alive(call.node));
    if (!lost) {
      // The node may be finishing the call (its end not written yet), or be gone without the
      // cluster having noticed yet: look again shortly.
      if (std::chrono::steady_clock::now() >= until)
        return hang_up();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    auto ctx = log::context().with("call", call_sid).with("business", call.business_id);
    if (!taking_calls || calls.live() >= settings.max_calls) {
      ctx.warn("cannot take over the call of lost node {}: no room here", call.node);
      return xml(twilio::twiml()
                     .say("We're sorry, we were cut off and cannot continue right now. Please "
                          "call back in a few minutes.")
                     .hangup()
                     .str());
    }
    auto t = calls_repo.take_over(call.business_id, call.id, call.node, settings.node_name);
    if (!t || !*t) {
      ctx.warn("cannot take over the call of lost node {}: {}", call.node,
               t ? "taken or ended meanwhile" : t.error().message);
      return hang_up();
    }
    {
      std::lock_guard lk(resume_mtx);
      resumes[call_sid] = **t;
    }
    ctx.info("taking over the call of lost node {} ({} dialog state)", call.node,
             (*t)->dialog_state.empty() ? "no" : "with");
    m.voice_ok->inc();
    return xml(twilio::twiml()
                   .connect_stream(media_url,
                                   {{"callId", call.id}, {"businessId", call.business_id},
                                    {"caller", call.caller}, {"resumed", "1"}},
                                   "", webhook_url + "/twilio/after-stream")
                   .str());
  }
}

// ---------------------------------------------------------------------------------------------
// POST /twilio/status

void twilio_edge::impl::status(http::request r, std::function<void(http::response)> respond) {
  auto f = twilio::parse_form(r.body);
  if (!f)
    return respond(text(400, "bad form body"));
  if (!signature_ok(r, *f)) {
    m.status_forbidden->inc();
    spdlog::warn("status callback from {}: missing or bad X-Twilio-Signature; refused", r.remote);
    return respond(text(403, "forbidden"));
  }
  auto sid = f->value("CallSid");
  auto st = f->value("CallStatus");
  if (sid.empty() || st.empty())
    return respond(text(400, "CallSid and CallStatus are required"));
  std::optional<int> duration;
  if (auto d = f->get("CallDuration")) {
    try {
      duration = std::stoi(*d);
    } catch (...) {
      return respond(text(400, "CallDuration must be a number"));
    }
  }
  auto self = shared_from_this();
  bool queued = blocking.post([self, sid, st, duration, respond] {
    auto done = self->calls_repo.record_status(sid, st, duration, self->clk.now());
    if (!done) {
      spdlog::error("status callback {}: {}", sid, done.error().message);
      return respond(text(500, "not recorded"));
    }
    self->m.status_ok->inc();
    if (st == "completed" || st == "failed" || st == "canceled" || st == "busy" ||
        st == "no-answer") {
      std::shared_ptr<call::call_handle> live;
      {
        std::lock_guard lk(self->live_mtx);
        if (auto it = self->live_by_sid.find(sid); it != self->live_by_sid.end())
          live = it->second.lock();
      }
      if (live)
        live->end("status_" + st);
    }
    respond(text(200, "ok"));
  });
  if (!queued)
    respond(text(503, "busy"));
}

// ---------------------------------------------------------------------------------------------
// The Media Stream session

namespace {

/// Sends a call's outbound audio over the WebSocket as Twilio messages.
class ws_media_out final : public call::media_out {
public:
  ws_media_out(std::shared_ptr<http::ws_connection> c, std::string stream_sid,
               metrics::counter& out, metrics::counter& dropped)
      : conn_(std::move(c)), sid_(std::move(stream_sid)), writer_(sid_), out_(out),
        dropped_(dropped) {}
  bool send_media(std::span<const std::uint8_t> mulaw) override {
    bool ok = conn_->send_text(writer_.media(mulaw));
    (ok ? out_ : dropped_).inc(frames_in(mulaw));
    return ok;
  }
  bool send_mark(std::string_view name) override {
    return conn_->send_text(twilio::mark_message(sid_, name));
  }
  bool send_clear() override { return conn_->send_text(twilio::clear_message(sid_)); }
  void send_batch(std::span<const outbound> batch) override {
    std::vector<std::string> texts;
    texts.reserve(batch.size());
    std::uint64_t media = 0;
    for (auto& m : batch) {
      if (m.audio.empty()) {
        texts.push_back(twilio::mark_message(sid_, m.mark));
      } else {
        texts.push_back(writer_.media(m.audio));
        media += frames_in(m.audio);
      }
    }
    bool ok = conn_->send_texts(std::move(texts));
    (ok ? out_ : dropped_).inc(media);
  }
  void close(std::string_view reason) override { conn_->close(1000, std::string(reason)); }

private:
  // The counters count 20 ms frames; one media message may carry several (see the media actor).
  static std::uint64_t frames_in(std::span<const std::uint8_t> mulaw) {
    return (mulaw.size() + audio::frame_samples - 1) / audio::frame_samples;
  }

  std::shared_ptr<http::ws_connection> conn_;
  std::string sid_;
  twilio::media_writer writer_; // the media message's head, written once for the stream
  metrics::counter& out_;
  metrics::counter& dropped_;
};

} // namespace

class media_session final : public http::ws_handler,
                            public std::enable_shared_from_this<media_session> {
public:
  explicit media_session(std::shared_ptr<twilio_edge::impl> edge) : edge_(std::move(edge)) {
    edge_->sessions++;
    edge_->m.sessions->add(1);
  }
  ~media_session() override {
    edge_->sessions--;
    edge_->m.sessions->add(-1);
  }

  void on_open(std::shared_ptr<http::ws_connection> conn) override { conn_ = std::move(conn); }

  void on_text(std::string_view text) override {
    // A caller frame, 50 a second per call: read without a JSON tree, into a reused buffer.
    // Anything the fast path does not take (other events, errors) goes the full parser's way.
    twilio::media_view v;
    if (call_ && twilio::read_twilio_media(text, v, frame_)) {
      if (v.stream_sid != stream_sid_) {
        edge_->m.frames_dropped->inc();
        return problem("wrong_stream",
                       "message for stream " + std::string(v.stream_sid.substr(0, 40)));
      }
      edge_->m.frames_in->inc();
      call_->audio(frame_, v.timestamp_ms);
      return;
    }
    auto msg = twilio::parse_from_twilio(text);
    if (!msg)
      return problem(msg.error().code, msg.error().message);
    auto& m = *msg;
    if (m.kind == twilio::event::connected)
      return;
    if (m.kind == twilio::event::start)
      return start(m);
    if (!call_) {
      edge_->m.frames_dropped->inc();
      return problem("before_start", std::string(to_string(m.kind)) + " before start");
    }
    if (m.stream_sid != stream_sid_) {
      edge_->m.frames_dropped->inc();
      return problem("wrong_stream", "message for stream " + m.stream_sid.substr(0, 40));
    }
    switch (m.kind) {
    case twilio::event::media:
      edge_->m.frames_in->inc();
      call_->audio(m.payload, m.timestamp_ms);
      break;
    case twilio::event::mark: call_->mark(std::move(m.mark_name)); break;
    case twilio::event::dtmf: call_->dtmf(std::move(m.digit)); break;
    case twilio::event::stop:
      end_reason_ = "stop";
      call_->end("stop");
      break;
    default: break;
    }
  }

  void on_binary(std::string_view) override {
    edge_->m.frames_dropped->inc();
    problem("binary_frame", "binary frame (Twilio sends only text)");
  }

  void on_close(const http::close_info& info) override {
    if (call_) {
      if (end_reason_.empty())
        end_reason_ = std::string("socket_") + http::to_string(info.why);
      call_->end(end_reason_);
    }
    if (!log_.has_value())
      spdlog::info("media stream from {} closed before start", conn_ ? conn_->remote() : "?");
    conn_.reset();
    call_.reset();
  }

private:
  void start(const twilio::message& m) {
    if (call_)
      return problem("second_start", "a second start on one stream");
    auto& p = m.start.custom_parameters;
    auto call_id = p.count("callId") ? p.at("callId") : "";
    auto business_id = p.count("businessId") ? p.at("businessId") : "";
    if (call_id.empty() || business_id.empty()) {
      problem("no_call", "start without callId/businessId parameters");
      conn_->close(1008, "unknown call");
      return;
    }
    stream_sid_ = m.stream_sid;
    log_ = log::context().with("call", m.start.call_sid).with("business", business_id);
    call::call_info info{call_id, business_id, m.start.call_sid, m.stream_sid,
                         p.count("caller") ? p.at("caller") : "", "", "", {}};
    if (auto it = p.find("script"); it != p.end()) // a load generator's declared turns ("a|b")
      for (std::size_t from = 0; from <= it->second.size();) {
        auto bar = std::min(it->second.find('|', from), it->second.size());
        info.script.push_back(it->second.substr(from, bar - from));
        from = bar + 1;
      }
    {
      std::lock_guard lk(edge_->resume_mtx);
      if (auto it = edge_->resumes.find(m.start.call_sid); it != edge_->resumes.end()) {
        info.resume_state = std::move(it->second.dialog_state);
        info.at_offset_ms = it->second.at_offset_ms;
        info.resume_heard = std::move(it->second.caller_lines);
        edge_->resumes.erase(it);
      }
    }
    {
      std::lock_guard lk(edge_->business_mtx);
      if (auto it = edge_->businesses.find(business_id); it != edge_->businesses.end()) {
        info.business_name = it->second.name;
        info.greeting = it->second.greeting;
        info.tts_voice = it->second.tts_voice;
        info.stt_model = it->second.stt_model;
        info.stt_language = it->second.stt_language;
      }
    }
    auto out = std::make_shared<ws_media_out>(conn_, stream_sid_, *edge_->m.frames_out,
                                              *edge_->m.frames_dropped);
    std::weak_ptr<twilio_edge::impl> weak_edge = edge_;
    std::weak_ptr<http::ws_connection> weak_conn = conn_;
    auto ctx = *log_;
    // The call's database writes go through its journal, the stream start first.
    auto journal = edge_->journals->open(business_id, call_id, m.start.call_sid);
    journal->streaming(stream_sid_, edge_->clk.now());
    call_ = edge_->calls.start(info, out, [weak_edge, weak_conn, ctx, journal](call::call_report r) {
      ctx.info("call ended ({}): {} frames in, {} out, {} marks played, {} clears", r.end_reason,
               r.frames_in, r.frames_out, r.marks_played, r.clears);
      if (auto c = weak_conn.lock())
        c->close(1000, "call ended");
      auto e = weak_edge.lock();
      if (!e)
        return;
      bool idle;
      {
        std::lock_guard lk(e->live_mtx);
        e->live_by_sid.erase(r.info.call_sid);
        idle = e->live_by_sid.empty();
      }
      bool failed = r.end_reason.rfind("socket_error", 0) == 0;
      if (r.outcome == "booked")
        e->m.calls_booked->inc();
      e->journals->close(r.info.call_id);
      journal->finish({r.summary, r.outcome, r.recording_path},
                      {failed ? "failed" : "completed", r.end_reason, e->clk.now()}, [idle] {
                        // The last call is over: give the calls' freed memory back to the
                        // system, so that an idle node's footprint returns to where it started
                        // (glibc keeps it otherwise).
                        if (idle)
                          ::malloc_trim(0);
                      });
    });
    {
      std::lock_guard lk(edge_->live_mtx);
      edge_->live_by_sid[m.start.call_sid] = call_;
    }
    edge_->m.calls_total->inc();
    log_->info("media stream {} started", stream_sid_);
  }

  // Counted every time, logged once per kind per connection.
  void problem(const std::string& kind, const std::string& what) {
    edge_->m.bad_messages->inc();
    if (logged_.insert(kind).second) {
      if (log_)
        log_->warn("media stream: {} ({}); dropped", what, kind);
      else
        spdlog::warn("media stream from {}: {} ({}); dropped", conn_ ? conn_->remote() : "?",
                     what, kind);
    }
  }

  std::shared_ptr<twilio_edge::impl> edge_;
  std::shared_ptr<http::ws_connection> conn_;
  std::shared_ptr<call::call_handle> call_;
  std::string stream_sid_;
  std::vector<std::uint8_t> frame_; // the caller frame being handed over, decoded
  std::string end_reason_;
  std::optional<log::context> log_;
  std::set<std::string> logged_;
};

std::shared_ptr<http::ws_handler> twilio_edge::impl::media(const http::request& r) {
  if (!taking_calls) {
    m.ws_refused->inc();
    return nullptr;
  }
  if (settings.validate_signatures) {
    // Twilio signs the upgrade over the wss:// URL it opened, with no parameters.
    auto url = media_url + (r.query.empty() ? "" : "?" + r.query);
    if (!twilio::validate_signature(settings.auth_token, url, twilio::form{},
                                    r.header("X-Twilio-Signature"))) {
      m.ws_refused->inc();
      spdlog::warn("media stream upgrade from {}: missing or bad X-Twilio-Signature; refused",
                   r.remote);
      return nullptr;
    }
  }
  return std::make_shared<media_session>(shared_from_this());
}

// ---------------------------------------------------------------------------------------------

namespace {

class db_call_events final : public call::call_events {
public:
  db_call_events(store::database& db, worker_pool& pool, metrics::registry& reg,
                 std::shared_ptr<transfer_book> transfers, std::shared_ptr<call_journals> journals)
      : repo_(db), pool_(pool), transfers_(std::move(transfers)), journals_(std::move(journals)) {
    auto h = [&](const char* part, const char* help) {
      return &reg.add_histogram("frontdesk_turn_latency_ms",
                                std::string("Per caller turn, ms from the caller's last speech "
                                            "frame to each point of the reply. ") + help,
                                metrics::latency_buckets_ms(),
                                std::string("part=\"") + part + "\"");
    };
    stt_ = h("stt_final", "");
    decision_ = h("decision", "");
    tts_ = h("tts_first_audio", "");
    frame_ = h("first_frame_sent", "");
    heard_ = &reg.add_counter("frontdesk_stt_utterances_total",
                              "Caller utterances that reached the recogniser.");
    rejected_ = &reg.add_counter("frontdesk_stt_rejected_total",
                                 "Utterances rejected (too unsure, or not decoded).");
    unavailable_ = &reg.add_counter("frontdesk_stt_unavailable_total",
                                    "Utterances not decoded because every decoder was busy.");
    runtime_ = &reg.add_histogram(
        "frontdesk_turn_runtime_ms",
        "Per caller turn, ms from the end of turn being declared to the first reply frame sent: "
        "what the runtime adds (recognition, dialog, synthesis, hops), endpointing excluded.",
        metrics::fine_latency_buckets_ms());
    // The same interval less the time the call waited on remote vendors (a cloud recogniser's
    // final, a language model's reply, a cloud voice's first audio), each timed from its
    // request going out to its answer coming back. The first is what callers feel; this one
    // is the node's own cost, which slow vendors (or, in a benchmark, fakes starved on the
    // same cores) do not move. Both stay: neither alone tells a slow node from a slow vendor.
    runtime_own_ = &reg.add_histogram(
        "frontdesk_turn_runtime_own_ms",
        "Per caller turn, ms from the end of turn being declared to the first reply frame sent, "
        "less the time spent waiting on remote vendors' answers: what the node itself adds.",
        metrics::fine_latency_buckets_ms());
    // The same time cut where it goes, so that a runtime figure says which stage set it.
    auto stage = [&](const char* name) {
      return &reg.add_histogram("frontdesk_turn_stage_ms",
                                "Per caller turn, ms of the runtime's part (end of turn to first "
                                "reply frame sent) in each stage.",
                                metrics::fine_latency_buckets_ms(),
                                std::string("stage=\"") + name + "\"");
    };
    recognise_ = stage("recognise");
    decide_ = stage("decide");
    synthesise_ = stage("synthesise");
    send_ = stage("send");
  }
  void on_turn(const call::call_info& info, const call::turn_record& t) override {
    if (auto j = journals_->find(info.call_id))
      return j->turn({t.role, t.text, t.at_ms + info.at_offset_ms, t.interrupted});
    pool_.post([this, info, t] { // a call without a journal (it ended): written on its own
      auto r = repo_.append_turn(info.business_id, info.call_id, t.role, t.text,
                                 t.at_ms + info.at_offset_ms, t.interrupted);
      if (!r)
        spdlog::error("call {}: transcript not saved: {}", info.call_sid, r.error().message);
    });
  }
  void on_transfer(const call::call_info& info, const std::string& reason) override {
    log::context().with("call", info.call_sid).with("business", info.business_id)
        .info("transfer to a person requested ({})", reason);
    std::string number; // an operator's, or "": the business's
    {
      std::lock_guard lk(transfers_->mtx);
      transfers_->by_call_sid[info.call_sid] = info.business_id;
      if (auto n = transfers_->number_by_call_id.find(info.call_id);
          n != transfers_->number_by_call_id.end()) {
        number = n->second;
        transfers_->number_by_call_sid[info.call_sid] = n->second;
        transfers_->number_by_call_id.erase(n);
      }
    }
    // On the call row too: Twilio's <Connect action> may reach another node (any balancer),
    // which must dial as well. Through the journal, before the call's end.
    if (auto j = journals_->find(info.call_id))
      return j->transfer(std::move(number));
    pool_.post([this, info, number] {
      store::call_changes c;
      c.transfer_to = number;
      if (auto r = repo_.apply(info.business_id, info.call_id, c); !r)
        spdlog::error("call {}: transfer not recorded: {}", info.call_sid, r.error().message);
    });
  }
  void on_dialog_state(const call::call_info& info, const std::string& state) override {
    if (auto j = journals_->find(info.call_id))
      j->dialog_state(state);
  }
  void on_heard(const call::call_info&, bool rejected, bool unavailable) override {
    heard_->inc();
    if (rejected)
      rejected_->inc();
    if (unavailable)
      unavailable_->inc();
  }
  void on_latency(const call::call_info& info, const call::turn_latency& l) override {
    stt_->observe(l.stt_final_ms);
    decision_->observe(l.decision_ms);
    tts_->observe(l.tts_first_ms);
    frame_->observe(l.first_frame_ms);
    runtime_->observe(l.runtime_ms());
    runtime_own_->observe(l.runtime_own_ms());
    // Recognition's final after the end of turn, the dialog's reply, its first audio, the
    // first frame out.
    recognise_->observe(std::max(0.0, l.stt_final_ms - l.endpoint_ms));
    decide_->observe(std::max(0.0, l.decision_ms - std::max(l.stt_final_ms, l.endpoint_ms)));
    synthesise_->observe(std::max(0.0, l.tts_first_ms - l.decision_ms));
    send_->observe(std::max(0.0, l.first_frame_ms - l.tts_first_ms));
    auto json = call::latency_json(l);
    log::context().with("call", info.call_sid).with("business", info.business_id)
        .info("turn {} latency: speech end → final {:.0f} ms, reply {:.0f} ms, first audio "
              "{:.0f} ms, first frame {:.0f} ms",
              l.turn, l.stt_final_ms, l.decision_ms, l.tts_first_ms, l.first_frame_ms);
    if (auto j = journals_->find(info.call_id))
      return j->latency(std::move(json));
    pool_.post([this, info, json] {
      auto r = repo_.append_latency(info.business_id, info.call_id, json);
      if (!r)
        spdlog::error("call {}: latency not saved: {}", info.call_sid, r.error().message);
    });
  }

private:
  store::calls_repo repo_;
  worker_pool& pool_;
  std::shared_ptr<transfer_book> transfers_;
  std::shared_ptr<call_journals> journals_;
  metrics::histogram *stt_, *decision_, *tts_, *frame_, *runtime_, *runtime_own_;
  metrics::histogram *recognise_, *decide_, *synthesise_, *send_; // runtime_'s stages
  metrics::counter *heard_, *rejected_, *unavailable_;
};

} // namespace

std::shared_ptr<call::call_events> make_db_call_events(store::database& db, worker_pool& blocking,
                                                       metrics::registry& metrics,
                                                       std::shared_ptr<transfer_book> transfers,
                                                       std::shared_ptr<call_journals> journals) {
  return std::make_shared<db_call_events>(db, blocking, metrics, std::move(transfers),
                                          std::move(journals));
}

twilio_edge::twilio_edge(edge_settings settings, http::server& server, store::database& db,
                         worker_pool& blocking, call::call_port& calls,
                         metrics::registry& metrics, const clock& clk,
                         std::shared_ptr<transfer_book> transfers,
                         std::shared_ptr<call_journals> journals)
    : impl_(std::make_shared<impl>(std::move(settings), server, db, blocking, calls, metrics,
                                   clk, std::move(transfers), std::move(journals))) {}

twilio_edge::~twilio_edge() = default;

void twilio_edge::install() {
  auto i = impl_;
  i->server.on("POST", "/twilio/voice",
               [i](http::request r, auto respond) { i->voice(std::move(r), std::move(respond)); });
  i->server.on("POST", "/twilio/after-stream", [i](http::request r, auto respond) {
    i->after_stream(std::move(r), std::move(respond));
  });
  i->server.on("POST", "/twilio/status",
               [i](http::request r, auto respond) { i->status(std::move(r), std::move(respond)); });
  i->server.on_websocket("/twilio/media", [i](const http::request& r) { return i->media(r); });
  i->server.on("GET", "/health",
               [](http::request, auto respond) { respond(text(200, "ok")); });
  i->server.on("GET", "/ready", [i](http::request, auto respond) {
    if (!i->taking_calls)
      return respond(text(503, "draining"));
    if (!i->blocking.post([i, respond] {
          if (!i->db.ping())
            return respond(text(503, "database unreachable"));
          for (auto& check : i->readiness_checks)
            if (auto why = check(); !why.empty())
              return respond(text(503, why));
          respond(text(200, "ready"));
        }))
      respond(text(503, "busy"));
  });
}

void twilio_edge::stop_taking_calls() { impl_->taking_calls = false; }

void twilio_edge::add_readiness_check(std::function<std::string()> check) {
  impl_->readiness_checks.push_back(std::move(check));
}

std::size_t twilio_edge::live_sessions() const { return impl_->sessions.load(); }

} // namespace frontdesk::edge
