#include "actors/node/node.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>

#include <pthread.h>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/call/runtime.hpp"
#include "actors/call/calendar_actor.hpp"
#include "actors/cluster/cluster.hpp"
#include "actors/console/gateway.hpp"
#include "adapters/dashboard/live_feed.hpp"
#include "protocols/console/tap.hpp"
#include "protocols/console/verbs.hpp"
#include "adapters/store/calls.hpp"
#include <filesystem>

#include "actors/calendar/calendar.hpp"
#include "actors/calendar/profile_cache.hpp"
#include "actors/calendar/time_expression.hpp"
#include "actors/dialog/echo_engine.hpp"
#include "actors/dialog/fallback_engine.hpp"
#include "actors/dialog/llm_engine.hpp"
#include "adapters/llm/client.hpp"
#include "actors/dialog/rules_engine.hpp"
#include "actors/dialog/phrases.hpp"
#include "adapters/edge/call_journal.hpp"
#include "adapters/edge/edge.hpp"
#include "adapters/messaging/service.hpp"
#include "adapters/gcal/service.hpp"
#include "adapters/cloud_speech/cloud_speech.hpp"
#include "adapters/dashboard/dashboard.hpp"
#include "adapters/speech/instant.hpp"
#include "adapters/speech/recognizer.hpp"
#include "adapters/speech/speech.hpp"
#include "adapters/http/http.hpp"
#include "adapters/metrics/metrics.hpp"
#include "adapters/store/calls.hpp"
#include "adapters/store/database.hpp"
#include "adapters/workers/pool.hpp"
#include "adapters/workers/thread_policy.hpp"

namespace frontdesk {
namespace {

// The node's clock as wall time in a business's zone (UTC when it has none).
std::optional<booking::local_time> business_now(const frontdesk::clock& clk,
                                                const std::string& zone) {
  auto t = booking::to_local(zone.empty() ? std::string("UTC") : zone,
                             std::chrono::floor<std::chrono::seconds>(clk.now()));
  if (!t)
    return std::nullopt;
  return *t;
}

// Puts the calling thread, one that carries the voice, at the configured real-time priority
// (0: off). Where that is not permitted it says so once per node and returns false.
bool realtime_voice_thread(int priority, std::atomic<bool>& warned) {
  if (priority <= 0)
    return false;
  if (use_realtime_scheduling(priority))
    return true;
  if (!warned.exchange(true))
    spdlog::warn("scheduler.realtime_priority = {} is not permitted (needs CAP_SYS_NICE or "
                 "LimitRTPRIO): the voice's threads run at normal priority, and a busy machine "
                 "delays replies",
                 priority);
  return false;
}

// CAF's scheduler workers and clock carry the voice (every actor hop of a turn): real-time
// priority where configured and permitted, else SCHED_BATCH like the pools. Other CAF threads
// (detached actors, which may block) run SCHED_BATCH. CAF 0.17 names its workers
// "caf.multiplexer", like the network thread, which carries cluster messages.
class caf_threads final : public caf::thread_hook {
public:
  caf_threads(int realtime_priority, std::atomic<bool>* warned)
      : priority_(realtime_priority), warned_(warned) {}
  void init(caf::actor_system&) override {}
  void thread_started() override {
    char name[16] = {};
    ::pthread_getname_np(::pthread_self(), name, sizeof name);
    std::string_view n(name);
    if ((n == "caf.multiplexer" || n == "caf.clock") && realtime_voice_thread(priority_, *warned_))
      return;
    if (!use_batch_scheduling())
      spdlog::debug("SCHED_BATCH not available for a CAF thread");
  }
  void thread_terminates() override {}

private:
  int priority_;
  std::atomic<bool>* warned_;
};

// Carries a console's steering verb out on a call of this node (the call's supervisor answers
// between its own messages; nothing waits on the console).
void steer_call(call::call_runtime& calls, edge::transfer_book& transfers,
                const std::string& call_id, const console::command& c,
                std::function<void(console::result, std::string)> done) {
  if (c.v == console::verb::listen)
    return done(console::result::not_applicable, "listening is not available");
  if (c.v == console::verb::transfer) {
    std::lock_guard lk(transfers.mtx);
    transfers.number_by_call_id[call_id] = c.number;
  }
  auto arg = c.v == console::verb::transfer ? c.number : c.text;
  bool live = calls.control(call_id, console::to_string(c.v), arg, c.interrupt,
                            [done](std::string r, std::string detail) {
                              done(console::result_from(r), std::move(detail));
                            });
  if (!live)
    done(console::result::not_applicable, "the call is not live on this node");
}

} // namespace

struct node::impl {
  config cfg;
  std::atomic<bool> realtime_warned{false}; // said once that real-time priority is refused
  std::shared_ptr<frontdesk::clock> clk;
  std::unique_ptr<caf::actor_system_config> sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<store::database> db;
  // The calendar tools' own connections and threads (database.calendar_pool_size): at 500
  // calls to one business the calls' journal writes kept the four shared ones busy and a
  // check_slot waited seconds for one.
  std::unique_ptr<store::database> calendar_db;
  // Profiles of businesses called recently, for 30 s (as the calendar actors keep theirs);
  // before the pools, whose jobs fill it, so that it outlives them.
  booking::profile_cache profiles{std::chrono::seconds(30)};
  std::unique_ptr<worker_pool> blocking; // database writes and other blocking work
  std::unique_ptr<worker_pool> calendar_pool; // the calendar tools, on calendar_db
  std::unique_ptr<worker_pool> speech_pool; // recognition and synthesis
  std::unique_ptr<worker_pool> dialog_pool; // a blocking dialog engine's model calls
  std::unique_ptr<worker_pool> recording_pool; // encoding recordings, in spare CPU time
  std::unique_ptr<worker_pool> console_pool; // consoles' database reads and audit writes
  std::unique_ptr<speech::tts_engine> tts;
  std::unique_ptr<speech::stt_engine> stt;
  std::unique_ptr<speech::tts_engine> flite;        // a cloud voice's fallback
  std::unique_ptr<speech::deepgram_stt> deepgram;   // cloud recognition (stt: the fallback)
  std::unique_ptr<booking::calendar_service> calendar;
  std::unique_ptr<call::call_runtime> calls;
  std::unique_ptr<cluster::node_cluster> cluster; // empty when cluster.listen is not set
  std::atomic<call::call_runtime*> live_runtime{nullptr}; // `calls`, for the cluster's threads
  caf::actor console_gateway; // operator consoles (with a cluster port only)
  std::unique_ptr<dashboard::live_feed> console_feed; // the calls' live events, for consoles
  metrics::registry metrics;
  std::unique_ptr<http::server> server;
  std::unique_ptr<edge::twilio_edge> edge;
  std::unique_ptr<messaging::messaging_service> messaging; // the outbox's texts, SMS webhooks
  std::unique_ptr<gcal::google_service> google; // Google Calendar sync, its routes, our events
  std::unique_ptr<dashboard::dashboard> web; // the web dashboard and its API
  std::uint16_t port = 0;
  bool stopped = false;

  std::string render_metrics() const;
  bool wire_cloud_speech(call::call_services& svc);
};

std::string node::impl::render_metrics() const {
  auto out = metrics.render();
  auto& s = server->stats();
  auto line = [&](const char* name, const char* type, const char* help, long long v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(v) + "\n";
  };
  line("frontdesk_calls_live", "gauge", "Calls in progress on this node.",
       static_cast<long long>(calls->live()));
  line("frontdesk_http_connections_open", "gauge", "HTTP connections open.", s.connections_open);
  line("frontdesk_http_connections_refused_total", "counter", "Connections over the limit.",
       static_cast<long long>(s.connections_refused));
  line("frontdesk_http_requests_total", "counter", "HTTP requests.",
       static_cast<long long>(s.requests));
  line("frontdesk_websockets_open", "gauge", "WebSockets open.", s.websockets_open);
  line("frontdesk_ws_messages_in_total", "counter", "WebSocket messages received.",
       static_cast<long long>(s.ws_messages_in));
  line("frontdesk_ws_messages_out_total", "counter", "WebSocket messages sent.",
       static_cast<long long>(s.ws_messages_out));
  line("frontdesk_ws_dropped_total", "counter", "WebSocket messages not sent (queue full, closed).",
       static_cast<long long>(s.ws_dropped));
  line("frontdesk_ws_errors_total", "counter", "WebSocket errors.",
       static_cast<long long>(s.ws_errors));
  return out;
}

node::node(config cfg, std::shared_ptr<frontdesk::clock> clk) : impl_(std::make_unique<impl>()) {
  impl_->cfg = std::move(cfg);
  impl_->clk = std::move(clk);
}

node::~node() { stop(); }

// Cloud speech vendors in front of the embedded engines, which stay their fallbacks.
bool node::impl::wire_cloud_speech(call::call_services& svc) {
  auto& d = *this;
  auto& c = d.cfg.speech;
  if (c.tts != "flite") {
    speech::cloud_tts_settings t;
    t.vendor = c.tts == "openai" ? speech::tts_vendor::openai : speech::tts_vendor::deepgram;
    t.base_url = c.tts == "openai" ? c.openai_tts_url : c.deepgram_tts_url;
    t.api_key = c.tts == "openai" ? d.cfg.llm.api_key : c.deepgram_api_key;
    t.model = c.tts == "openai" ? c.openai_tts_model : c.deepgram_voice;
    t.voice = c.openai_voice;
    t.first_byte_limit = std::chrono::milliseconds(c.tts_first_byte_ms);
    if (t.api_key.empty())
      spdlog::warn("speech.tts = {}: no API key in the environment", c.tts);
    d.flite = std::move(d.tts);
    d.tts = speech::make_cloud_tts(t, d.flite.get(),
                                   speech::register_vendor_metrics(d.metrics, c.tts, "tts"));
    spdlog::info("speech: {} voice, Flite when it is slow or fails", c.tts);
  }
  if (c.stt == "deepgram") {
    speech::deepgram_stt_settings s;
    s.base_url = c.deepgram_url;
    s.api_key = c.deepgram_api_key;
    s.model = c.deepgram_model;
    s.endpointing_ms = c.deepgram_endpointing_ms;
    s.utterance_end_ms = c.deepgram_utterance_end_ms;
    s.send_every = std::chrono::milliseconds(c.deepgram_send_every_ms);
    if (s.api_key.empty())
      spdlog::warn("speech.stt = deepgram: no DEEPGRAM_API_KEY in the environment");
    try {
      d.deepgram = speech::make_deepgram_stt(
          s, d.stt.get(), speech::register_vendor_metrics(d.metrics, "deepgram", "stt"));
    } catch (const std::exception& e) {
      spdlog::error("speech.stt = deepgram: {}", e.what());
      return false;
    }
    auto* dg = d.deepgram.get();
    auto scripts = c.accept_scripts;
    // The business's own model and language, when it chose them.
    svc.open_stt = [dg, scripts](const call::call_info& info, std::size_t n,
                                      speech::listen_for) {
      return scripts && !info.script.empty()
                 ? speech::make_script_session(info.script, n)
                 : dg->open(info.call_id, info.business_id, n, {info.stt_model, info.stt_language});
    };
    svc.on_call_start = [dg](const call::call_info& info) {
      dg->start_call(info.call_id, {info.stt_model, info.stt_language});
    };
    spdlog::info("speech: Deepgram live recognition, PocketSphinx when it is refused or drops");
  }
  if (c.tts == "flite" && !d.deepgram)
    return true;
  // What each call used of the vendors goes on its row when it ends: the recogniser's audio
  // seconds (the call's socket is closed then), the characters sent to the voice.
  struct usage_book {
    std::mutex mtx;
    std::map<std::string, std::uint64_t> characters;
  };
  auto book = std::make_shared<usage_book>();
  if (c.tts != "flite")
    svc.on_synthesised = [book](const std::string& call_id, std::size_t n) {
      std::lock_guard lk(book->mtx);
      book->characters[call_id] += n;
    };
  svc.on_call_end = [book, dg = d.deepgram.get(), db = d.db.get(),
                     pool = d.blocking.get()](const call::call_info& info) {
    double seconds = dg ? dg->end_call(info.call_id) : 0;
    std::uint64_t characters = 0;
    {
      std::lock_guard lk(book->mtx);
      if (auto it = book->characters.find(info.call_id); it != book->characters.end()) {
        characters = it->second;
        book->characters.erase(it);
      }
    }
    if (seconds <= 0 && characters == 0)
      return;
    pool->post([db, business = info.business_id, call = info.call_id, seconds, characters] {
      if (auto r = store::calls_repo(*db).add_speech_usage(business, call, seconds, characters); !r)
        spdlog::warn("call {}: speech usage not saved: {}", call, r.error().message);
    });
  };
  return true;
}

bool node::start() {
  auto& d = *impl_;
  if (d.cfg.database.url.empty()) {
    spdlog::error("no database: set DATABASE_URL (or database.url in the config file)");
    return false;
  }
  d.db = std::make_unique<store::database>(d.cfg.database.url, d.cfg.database.pool_size);
  if (!d.db->ping()) {
    spdlog::error("database not reachable at the configured DATABASE_URL");
    return false;
  }
  // Calls this node recorded in an earlier run and never finished (it was killed): no stream
  // carries them now, and no status callback may ever come.
  if (auto left = store::calls_repo(*d.db).finish_node_calls(d.cfg.node.name, "node_restarted",
                                                             d.clk->now());
      !left)
    spdlog::error("cannot finish the calls of this node's earlier run: {}", left.error().message);
  else if (*left && **left > 0)
    spdlog::warn("finished {} calls that this node's earlier run left open", **left);
  auto cluster_cfg = cluster::settings_from(d.cfg);
  if (auto e = cluster::check(cluster_cfg)) {
    spdlog::error("{}", *e);
    return false;
  }
  // The threads that carry the voice (io threads, CAF's workers and clock) run at real-time
  // priority where configured and permitted: at 500 instant calls on 2 cores, with the load
  // generator on the same cores, the runtime's P95 went from 2.2-49 ms to 1.9-2.4 ms, and to
  // under 0.5 ms once the instant engines stopped hopping to the speech pool. Every other
  // thread runs SCHED_BATCH, so that work it is handed never preempts the thread that handed
  // it over mid-batch (adapters/workers/thread_policy.hpp).
  const worker_pool::priority normal{0, true};
  d.blocking = std::make_unique<worker_pool>("blocking", d.cfg.database.pool_size, 10000, normal);
  d.calendar_db = std::make_unique<store::database>(d.cfg.database.url,
                                                    d.cfg.database.calendar_pool_size);
  d.calendar_pool = std::make_unique<worker_pool>("calendar", d.cfg.database.calendar_pool_size,
                                                  10000, normal);
  d.sys_cfg = std::make_unique<caf::actor_system_config>();
  d.sys_cfg->add_thread_hook<caf_threads>(d.cfg.scheduler.realtime_priority, &d.realtime_warned);
  d.sys_cfg->set("scheduler.max-threads", static_cast<size_t>(d.cfg.scheduler.max_threads));
  d.sys_cfg->set("scheduler.policy", caf::atom_from_string(d.cfg.scheduler.policy));
  call::add_message_types(*d.sys_cfg);
  if (!cluster_cfg.listen.empty())
    cluster::configure(*d.sys_cfg, cluster_cfg);
  d.sys = std::make_unique<caf::actor_system>(*d.sys_cfg);
  call::call_services svc;
  svc.blocking = d.blocking.get();
  svc.calendar_pool = d.calendar_pool.get();
  // One thread encodes every call's recording (~11 µs per 20 ms of call) on CPU time nothing
  // else wants (SCHED_IDLE), so that under load the voice goes first and the recordings catch
  // up; a second one, at nice 10, helps once a block has waited longer than 3 s. At 500 instant
  // calls on 2 cores the runtime's P95 went from 140-173 ms to 3.7-50 ms (five runs); the
  // second thread used under 10 ms of CPU in each.
  const worker_pool::priority spare_time{10, true, std::chrono::seconds(3)};
  d.recording_pool = std::make_unique<worker_pool>("recording", 1, 100000, spare_time);
  svc.recording_pool = d.recording_pool.get();
  auto transfers = std::make_shared<edge::transfer_book>();
  auto journals = std::make_shared<edge::call_journals>(*d.db, *d.blocking);
  svc.events = edge::make_db_call_events(*d.db, *d.blocking, d.metrics, transfers, journals);
  // Live states, partial words and audio for operator consoles (which come through the
  // cluster port): a call publishes into its tap only while a console subscribes.
  std::shared_ptr<console::call_taps> taps;
  if (!cluster_cfg.listen.empty())
    svc.taps = taps = std::make_shared<console::call_taps>();
  if (d.cfg.speech.mode == "echo") {
    svc.echo = true;
    spdlog::warn("speech.mode = echo: calls echo the caller (for transport tests and benchmarks)");
  } else {
    d.speech_pool = std::make_unique<worker_pool>("speech", d.cfg.speech.threads, 10000, normal);
    speech::pocketsphinx_settings ps;
    if (d.cfg.speech.mode == "instant") {
      spdlog::warn("speech.mode = instant: a scripted recogniser and a tone for speech (for "
                   "benchmarks and tests only)");
      d.tts = speech::make_tone_tts();
      svc.open_stt = [](const call::call_info& info, std::size_t n, speech::listen_for) {
        return speech::make_script_session(info.script, n);
      };
      svc.speech_blocks = false; // both return at once: no hop to the speech pool
    } else {
      d.tts = speech::make_flite_tts(d.cfg.speech.voice);
      if (!d.tts) {
        spdlog::error("no Flite voice '{}'", d.cfg.speech.voice);
        return false;
      }
      ps.phrases = dialog::recognizer_phrases({});
      {
        // Dates with this month's and the next two months' names from the start: a business's
        // first call may speak before its own vocabulary is ready.
        date::year_month_day today{date::floor<date::days>(d.clk->now())};
        auto dates = dialog::date_phrases(unsigned(today.month()), 3);
        ps.phrases.insert(ps.phrases.end(), dates.begin(), dates.end());
      }
      ps.decoders = static_cast<std::size_t>(d.cfg.speech.decoders);
      using redecode = speech::pocketsphinx_settings::redecode;
      ps.second_decode = d.cfg.speech.second_pass == "always"  ? redecode::always
                         : d.cfg.speech.second_pass == "never" ? redecode::never
                                                                : redecode::when_quiet;
      ps.quiet_below = 2 * static_cast<std::size_t>(d.cfg.speech.threads);
      ps.general_lm = d.cfg.speech.general_model;
      if (d.cfg.speech.mllr == "auto") {
        ps.mllr = speech::built_mllr_path();
        if (ps.mllr.empty())
          spdlog::warn("speech.mllr = auto and the build has no transform "
                       "(scripts/adapt-acoustic.sh): the acoustic model is not adapted to the "
                       "telephone channel");
      } else {
        ps.mllr = d.cfg.speech.mllr;
      }
      if (!ps.mllr.empty())
        spdlog::info("speech recogniser: MLLR transform {}", ps.mllr);
      auto stt = speech::make_pocketsphinx(ps);
      if (!stt) {
        spdlog::error("speech recogniser: {}", stt.error().message);
        return false;
      }
      d.stt = std::move(*stt);
      // Each business's calls listen with its own words too (name, services, knowledge).
      struct seen_vocabularies {
        std::mutex mtx;
        std::map<std::string, std::size_t> hash_by_business;
      };
      auto seen = std::make_shared<seen_vocabularies>();
      svc.on_business = [stt = d.stt.get(), seen, clk = d.clk](const booking::business_profile& p) {
        auto phrases = dialog::business_phrases(p.name, p.services, p.knowledge);
        // Month names for the business's booking window, from this month on.
        if (auto local = business_now(*clk, p.timezone)) {
          date::year_month_day today{date::floor<date::days>(*local)};
          auto dates = dialog::date_phrases(
              unsigned(today.month()), unsigned(std::max(0, p.booking.days_ahead) / 28 + 1));
          phrases.insert(phrases.end(), dates.begin(), dates.end());
        }
        std::size_t h = 0;
        for (auto& x : phrases)
          h = h * 1000003 ^ std::hash<std::string>{}(x);
        {
          std::lock_guard lk(seen->mtx);
          auto [it, fresh] = seen->hash_by_business.emplace(p.id, h);
          if (!fresh && it->second == h)
            return; // the business's words have not changed since its last call
          it->second = h;
        }
        auto before = stt->vocabulary_words(p.id);
        if (auto r = stt->set_vocabulary(p.id, phrases); !r)
          spdlog::warn("business {}: recogniser vocabulary not set: {}", p.id, r.error().message);
        else if (stt->vocabulary_words(p.id) != before)
          spdlog::info("business {}: recogniser vocabulary of {} words ({} phrases of its own)",
                       p.id, stt->vocabulary_words(p.id), phrases.size());
      };
      if (d.cfg.speech.accept_scripts) {
        spdlog::warn("speech.accept_scripts: calls that declare a script skip the recogniser "
                     "(dialog tests only)");
        svc.open_stt = [stt = d.stt.get()](const call::call_info& info, std::size_t n,
                                           speech::listen_for hint) {
          return info.script.empty() ? stt->start(info.business_id, hint)
                                     : speech::make_script_session(info.script, n);
        };
      }
    }
    if (d.stt && !d.wire_cloud_speech(svc))
      return false;
    svc.tts = d.tts.get();
    svc.stt = d.stt.get();
    svc.speech_pool = d.speech_pool.get();
    svc.make_vad = [] { return speech::make_sphinx_vad(); };
    d.calendar = std::make_unique<booking::calendar_service>(*d.calendar_db);
    svc.calendar = d.calendar.get();
    svc.profiles = &d.profiles;
    svc.clk = d.clk.get();
    auto clk = d.clk;
    // The rules engine, with times read in the business's zone against the node's clock.
    auto make_rules = [clk, spell = d.cfg.speech.spell_unsure_names](
                          const booking::business_profile& p) {
      auto e = std::make_unique<dialog::rules_engine>(
          [clk, zone = p.timezone](std::string_view text) -> std::optional<dialog::when> {
            auto now = business_now(*clk, zone);
            if (!now)
              return std::nullopt;
            auto m = booking::parse_time_expression(
                text, date::year_month_day{date::floor<date::days>(*now)});
            if (!m)
              return std::nullopt;
            booking::roll_past_weekday(
                *m, std::chrono::floor<std::chrono::minutes>(*now - date::floor<date::days>(*now)));
            return dialog::when{m->day ? booking::iso_day(*m->day) : "",
                                m->time ? booking::hhmm(*m->time) : "", m->part_of_day};
          });
      e->ask_spelling(spell);
      return e;
    };
    if (d.cfg.speech.dialog == "echo") {
      svc.make_dialog = [](const booking::business_profile&) {
        return std::make_unique<dialog::echo_engine>();
      };
    } else if (d.cfg.speech.dialog == "llm") {
      // The language model answers; the rules engine takes over a call the model fails.
      llm::client_options co;
      co.base_url = d.cfg.llm.base_url;
      co.api_key = d.cfg.llm.api_key;
      co.model = d.cfg.llm.model;
      co.temperature = d.cfg.llm.temperature;
      co.connect_timeout = std::chrono::milliseconds(d.cfg.llm.connect_timeout_ms);
      co.timeout = std::chrono::milliseconds(d.cfg.llm.timeout_ms);
      co.max_attempts = d.cfg.llm.max_attempts;
      auto client = std::make_shared<const llm::client>(co);
      d.dialog_pool = std::make_unique<worker_pool>("dialog", 8, 10000, normal);
      svc.dialog_pool = d.dialog_pool.get();
      spdlog::info("dialog: {} at {} (falls back to the rules engine)", co.model, co.base_url);
      svc.make_dialog = [clk, client, make_rules](const booking::business_profile& p)
          -> std::unique_ptr<dialog::dialog_engine> {
        auto local_now = [clk, zone = p.timezone]() -> std::chrono::local_seconds {
          auto t = business_now(*clk, zone);
          return std::chrono::local_seconds{t ? t->time_since_epoch() : std::chrono::seconds{}};
        };
        return std::make_unique<dialog::fallback_engine>(
            std::make_unique<dialog::llm_engine>(client, local_now),
            [make_rules, p] { return make_rules(p); });
      };
    } else {
      svc.make_dialog = [make_rules](const booking::business_profile& p)
          -> std::unique_ptr<dialog::dialog_engine> { return make_rules(p); };
    }
    if (!d.cfg.speech.recordings_dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(d.cfg.speech.recordings_dir, ec);
      svc.recordings_dir = std::filesystem::absolute(d.cfg.speech.recordings_dir).string();
    }
    spdlog::info("speech: {} ({} decoders, {} phrases), {}, recordings in '{}'",
                 d.stt ? d.stt->name() : "scripted", ps.decoders, ps.phrases.size(),
                 d.tts->name(), svc.recordings_dir);
  }
  if (!cluster_cfg.listen.empty()) {
    cluster::hooks h;
    h.live_calls = [&d] {
      auto* calls = d.live_runtime.load();
      return calls ? static_cast<std::uint32_t>(calls->live()) : 0u;
    };
    if (d.calendar)
      h.spawn_calendar = [&d](const std::string& business_id) {
        return caf::actor_cast<caf::actor>(call::spawn_calendar_actor(
            *d.sys, *d.calendar, *d.calendar_pool, d.clk.get(), business_id, &d.profiles));
      };
    h.alive = [&d] {
      d.blocking->post([&d] {
        if (auto r = store::calls_repo(*d.db).node_alive(d.cfg.node.name); !r)
          spdlog::warn("cluster: cannot record that this node is alive: {}", r.error().message);
      });
    };
    // A lost node's calls are finished once it has been silent in the database too for two
    // heartbeats past its writing interval: a node that only this one lost sight of keeps them.
    h.finish_calls_of = [&d, quiet = (cluster::alive_every_beats + 2) *
                                     std::chrono::milliseconds(d.cfg.cluster.heartbeat_ms)](
                            const std::string& name, std::function<void()> again) {
      d.blocking->post([&d, name, quiet, again = std::move(again)] {
        auto done =
            store::calls_repo(*d.db).finish_node_calls(name, "node_lost", d.clk->now(), quiet);
        if (!done)
          spdlog::error("cluster: cannot finish the calls node {} left: {}", name,
                        done.error().message);
        else if (!*done)
          again(); // it said it was alive a moment ago
        else if (**done > 0)
          spdlog::warn("cluster: finished {} calls that node {} left open", **done, name);
        else
          spdlog::info("cluster: node {} left no open calls", name);
      });
    };
    h.metrics = &d.metrics;
    // Operator consoles log in through the cluster port and follow the calls of the whole
    // cluster through the database's live events (each node's calls publish theirs).
    console::gateway_services gs;
    gs.db = d.db.get();
    // The consoles' reads get threads and a queue of their own: 50 consoles starting to watch
    // 200 calls are 20,000 reads, which in the calls' pool made the calls' own work wait
    // (131 of 200 benchmark calls failed).
    d.console_pool = std::make_unique<worker_pool>("console", 2, 100000);
    gs.pool = d.console_pool.get();
    gs.node_name = d.cfg.node.name;
    if (d.calendar)
      gs.calendar_route = [&d](const std::string& business_id) {
        return d.cluster ? d.cluster->calendar_route(business_id) : caf::actor{};
      };
    gs.steer = [&d, transfers](const std::string& node, const std::string& call_id,
                    const console::command& c, const std::string& email,
                    std::function<void(console::result, std::string)> done) {
      if (node != d.cfg.node.name) {
        if (!d.cluster)
          return done(console::result::not_applicable, "the node is stopping");
        return d.cluster->steer(node, call_id, console::format_command(c), email,
                                [done](std::string r, std::string detail) {
                                  done(console::result_from(r), std::move(detail));
                                });
      }
      auto* calls = d.live_runtime.load();
      if (!calls)
        return done(console::result::not_applicable, "the node is starting");
      spdlog::info("console: {} runs '{}' on call {}", email, console::format_command(c), call_id);
      steer_call(*calls, *transfers, call_id, c, std::move(done));
    };
    gs.taps = taps;
    gs.batch_delay = std::chrono::milliseconds(d.cfg.console.batch_ms);
    // The feed (a database connection, and every event parsed) runs only while a console is
    // logged in here: most nodes of a cluster have none.
    gs.feed_want = [&d] {
      if (!d.console_feed->want(std::chrono::seconds(3)))
        spdlog::warn("console: the live feed is not listening yet; a console may miss changes");
    };
    gs.feed_unwant = [&d] { d.console_feed->unwant(); };
    gs.tap_route = [&d](const std::string& node, const std::string& call_id,
                        const std::string& line, const std::string& email,
                        const caf::actor& subscriber,
                        std::function<void(console::result, std::string)> done) {
      if (!d.cluster)
        return done(console::result::not_applicable, "the node is stopping");
      d.cluster->steer(node, call_id, line, email, subscriber,
                       [done](std::string r, std::string detail) {
                         done(console::result_from(r), std::move(detail));
                       });
    };
    d.console_gateway = console::spawn_gateway(*d.sys, gs);
    d.console_feed = std::make_unique<dashboard::live_feed>(d.cfg.database.url, true);
    d.console_feed->tap([gw = d.console_gateway](const dashboard::live_event& e) {
      console::feed(gw, e.id, e.business_id, e.kind, e.data);
    });
    d.console_feed->start();
    h.console_gateway = [gw = d.console_gateway] { return gw; };
    auto c = cluster::node_cluster::start(*d.sys, cluster_cfg, std::move(h));
    if (!c) {
      spdlog::error("{}", c.error().message);
      return false;
    }
    d.cluster = std::move(*c);
    if (d.calendar)
      svc.calendar_route = [c = d.cluster.get()](const std::string& business_id) {
        return c->calendar_route(business_id);
      };
  }
  d.calls = call::make_call_runtime(*d.sys, std::move(svc));
  d.live_runtime = d.calls.get();

  d.server = std::make_unique<http::server>(http::server_limits{},
                                             static_cast<std::size_t>(d.cfg.node.io_threads));
  d.server->on_thread_start([priority = d.cfg.scheduler.realtime_priority,
                             warned = &d.realtime_warned] {
    realtime_voice_thread(priority, *warned); // else the normal policy: frames arrive here
  });
  edge::edge_settings es{d.cfg.node.public_url, d.cfg.twilio.auth_token,
                         d.cfg.twilio.validate_signatures, d.cfg.node.name,
                         static_cast<std::size_t>(d.cfg.node.max_calls)};
  es.cluster_url = d.cfg.cluster.public_url;
  if (d.cluster) {
    es.place_call = [c = d.cluster.get()] { return c->place_call(); };
    es.node_alive = [c = d.cluster.get()](const std::string& node) {
      for (auto& m : c->members())
        if (m.name == node)
          return true;
      return false;
    };
  }
  if (es.validate_signatures && es.auth_token.empty())
    spdlog::warn("TWILIO_AUTH_TOKEN is not set: every signed webhook will be refused");
  d.edge = std::make_unique<edge::twilio_edge>(es, *d.server, *d.db, *d.blocking, *d.calls,
                                               d.metrics, *d.clk, transfers, journals);
  d.messaging = std::make_unique<messaging::messaging_service>(d.cfg, *d.clk, d.metrics);
  d.messaging->install(*d.server, *d.blocking);
  d.google = std::make_unique<gcal::google_service>(d.cfg, *d.clk, &d.metrics);
  d.google->install(*d.server, *d.blocking);
  d.messaging->add_handler("gcal.event", d.google->outbox_handler());
  if (d.cluster) {
    // The nodes of a cluster share one outbox and one set of calendar links: one live node
    // (the rendezvous home of a fixed key, so every node agrees without a message) polls them
    // often; the others look rarely, a backstop while a new one is agreed after a loss. Before,
    // every node polled both (outbox every 500 ms, calendar sync every second).
    auto leads = [c = d.cluster.get(), me = d.cfg.node.name] {
      return c->home_of("frontdesk.pollers") == me;
    };
    d.messaging->set_lead(leads);
    d.google->set_lead(leads);
  }
  d.edge->add_readiness_check([m = d.messaging.get()] { return m->readiness(); });
  d.edge->install();
  if (!d.messaging->start())
    return false;
  if (!d.calendar) // the echo mode's calls have none; the dashboard books through one
    d.calendar = std::make_unique<booking::calendar_service>(*d.calendar_db);
  d.calendar->set_live_check(d.google->live_check());
  d.google->start();
  d.web = std::make_unique<dashboard::dashboard>(
      dashboard::dashboard_settings{d.cfg.node.public_url, d.cfg.database.url}, *d.server, *d.db,
      *d.blocking, *d.calendar, &d.profiles, *d.clk);
  d.web->install();
  d.server->on("GET", "/metrics", [&d](http::request, auto respond) {
    respond(http::response{200, "text/plain; version=0.0.4", d.render_metrics(), {}});
  });
  auto colon = d.cfg.node.listen.rfind(':');
  auto host = d.cfg.node.listen.substr(0, colon);
  auto port = static_cast<std::uint16_t>(std::stoi(d.cfg.node.listen.substr(colon + 1)));
  auto bound = d.server->listen(host, port);
  if (!bound) {
    spdlog::error("{}", bound.error().message);
    return false;
  }
  d.port = *bound;
  spdlog::info("listening on http://{}:{} (public URL {})", host, *bound, d.cfg.node.public_url);
  spdlog::info("node '{}' started: {} scheduler threads ({}), clock at {}", d.cfg.node.name,
               d.cfg.scheduler.max_threads, d.cfg.scheduler.policy,
               format_rfc3339(d.clk->now()));
  return true;
}

std::uint16_t node::port() const { return impl_->port; }

std::size_t node::live_calls() const { return impl_->calls ? impl_->calls->live() : 0; }

void node::stop() {
  auto& d = *impl_;
  if (d.stopped || !d.sys)
    return;
  d.stopped = true;
  spdlog::info("node '{}' stopping: no new calls; {} live calls may go on for {} s",
               d.cfg.node.name, d.calls->live(), d.cfg.node.drain_seconds);
  if (d.cluster)
    d.cluster->drain(); // the others take the new calls
  d.edge->stop_taking_calls();
  d.server->stop_accepting();
  d.web->stop(); // event streams end; pages are not served while the node drains
  if (d.console_feed)
    d.console_feed->stop(); // consoles see no more changes; their sessions end below
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(d.cfg.node.drain_seconds);
  while (d.calls->live() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (d.calls->live() > 0) {
    spdlog::info("drain time over: ending {} live calls", d.calls->live());
    d.calls->end_all("node_shutdown");
    for (int i = 0; i < 300 && d.calls->live() > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Each ended call queued its final database write; let them finish before closing anything.
  d.blocking->stop();
  d.calendar_pool->stop(); // the tools under way answer (their calls are gone)
  if (d.console_pool)
    d.console_pool->stop();
  d.messaging->stop(); // the texts in flight are finished first
  d.google->stop();
  d.server->stop();
  d.edge.reset();
  d.web.reset();
  // Actors next (the cluster's member actor, the businesses' calendar actors), then what they
  // used.
  if (d.cluster) {
    d.cluster->stop();
    d.cluster.reset();
  }
  if (d.console_gateway)
    caf::anon_send_exit(d.console_gateway, caf::exit_reason::user_shutdown);
  d.calls->shutdown();
  d.sys.reset();
  if (d.speech_pool)
    d.speech_pool->stop();
  if (d.deepgram) // after the calls: each closed its socket (CloseStream) as it ended
    d.deepgram->stop();
  d.recording_pool->stop(); // writes what the ended calls left, closes their files
  if (auto late = d.recording_pool->caught_up())
    spdlog::info("recordings: {} blocks fell 3 s behind and were written at nice 10", late);
  if (d.dialog_pool)
    d.dialog_pool->stop();
  d.calls.reset();
  d.server.reset();
  d.messaging.reset();
  d.google.reset();
  d.db.reset();
  d.calendar_db.reset();
  spdlog::info("node '{}' stopped", d.cfg.node.name);
}

} // namespace frontdesk
