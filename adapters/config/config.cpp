#include "adapters/config/config.hpp"

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

namespace frontdesk {
namespace {

// How one key is read from a TOML node into the config. Returns an error text or "".
using apply_fn = std::function<std::string(config&, const toml::node&)>;

struct key_entry {
  config_key key;
  apply_fn apply;
};

std::string type_name(const toml::node& n) {
  switch (n.type()) {
  case toml::node_type::string: return "string";
  case toml::node_type::integer: return "integer";
  case toml::node_type::floating_point: return "float";
  case toml::node_type::boolean: return "boolean";
  case toml::node_type::table: return "table";
  case toml::node_type::array: return "array";
  default: return "date/time";
  }
}


std::string toml_number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

template <class Section>
apply_fn str(Section config::*section, std::string Section::*field,
             std::function<std::string(const std::string&)> check = {}) {
  return [=](config& c, const toml::node& n) -> std::string {
    auto v = n.value<std::string>();
    if (!n.is_string() || !v)
      return "expected a string, got " + type_name(n);
    if (check) {
      if (auto err = check(*v); !err.empty())
        return err;
    }
    (c.*section).*field = *v;
    return "";
  };
}

template <class Section>
apply_fn integer(Section config::*section, int Section::*field, long long lo, long long hi) {
  return [=](config& c, const toml::node& n) -> std::string {
    if (!n.is_integer())
      return "expected an integer, got " + type_name(n);
    auto v = *n.value<long long>();
    if (v < lo || v > hi)
      return "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
    (c.*section).*field = static_cast<int>(v);
    return "";
  };
}

template <class Section>
apply_fn boolean(Section config::*section, bool Section::*field) {
  return [=](config& c, const toml::node& n) -> std::string {
    if (!n.is_boolean())
      return "expected a boolean, got " + type_name(n);
    (c.*section).*field = *n.value<bool>();
    return "";
  };
}

template <class Section>
apply_fn floating(Section config::*section, double Section::*field, double lo, double hi) {
  return [=](config& c, const toml::node& n) -> std::string {
    if (!n.is_floating_point() && !n.is_integer())
      return "expected a number, got " + type_name(n);
    double v = n.is_integer() ? static_cast<double>(*n.value<long long>()) : *n.value<double>();
    if (!(v >= lo && v <= hi))
      return "must be between " + toml_number(lo) + " and " + toml_number(hi);
    (c.*section).*field = v;
    return "";
  };
}

std::string one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  std::string list;
  for (auto a : allowed) {
    if (v == a)
      return "";
    list += list.empty() ? "" : ", ";
    list += a;
  }
  return "must be one of " + list + ", got '" + v + "'";
}

std::string check_host_port(const std::string& v) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v.size())
    return "must be HOST:PORT, got '" + v + "'";
  for (auto ch : v.substr(colon + 1))
    if (ch < '0' || ch > '9')
      return "port must be a number, got '" + v + "'";
  if (std::stoul(v.substr(colon + 1).substr(0, 6)) > 65535)
    return "port must be at most 65535";
  return "";
}

std::string check_url(const std::string& v) {
  if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
    return "must start with http:// or https://, got '" + v + "'";
  return "";
}

std::string check_ws_url(const std::string& v) {
  if (v.rfind("ws://", 0) != 0 && v.rfind("wss://", 0) != 0)
    return "must start with ws:// or wss://, got '" + v + "'";
  return "";
}

const std::vector<key_entry>& entries() {
  static const std::vector<key_entry> list = {
      {{"node.name", "string", "\"node-1\"", "This node's name in logs, metrics and the cluster."},
       str(&config::node, &config::node_section::name)},
      {{"node.listen", "string", "\"127.0.0.1:8080\"",
        "HOST:PORT the HTTP edge (webhooks, media WebSocket, health, metrics) binds."},
       str(&config::node, &config::node_section::listen, check_host_port)},
      {{"node.public_url", "string", "\"http://127.0.0.1:8080\"",
        "The URL Twilio uses to reach this node; signatures are computed over it and the media "
        "stream URL is derived from it."},
       str(&config::node, &config::node_section::public_url, check_url)},
      {{"node.now", "string", "\"\" (real time)",
        "RFC 3339 instant the node's clock starts at, then runs from (demos and tests)."},
       [](config& c, const toml::node& n) -> std::string {
         if (!n.is_string())
           return "expected a string, got " + type_name(n);
         auto s = *n.value<std::string>();
         if (s.empty()) {
           c.node.now.reset();
           return "";
         }
         auto t = parse_rfc3339(s);
         if (!t)
           return t.error().message;
         c.node.now = *t;
         return "";
       }},
      {{"node.drain_seconds", "integer", "10",
        "On SIGTERM, how long live calls may go on before they are closed."},
       integer(&config::node, &config::node_section::drain_seconds, 0, 3600)},
      {{"node.max_calls", "integer", "500",
        "Live calls this node accepts at once; further calls are answered politely and refused."},
       integer(&config::node, &config::node_section::max_calls, 1, 100000)},
      {{"node.io_threads", "integer", "2",
        "Threads for HTTP and the Media Stream WebSockets, each with its own connections (one "
        "saturates near 300 calls)."},
       integer(&config::node, &config::node_section::io_threads, 1, 64)},
      {{"database.url", "string", "\"\"",
        "libpq connection string or URL of the application role. DATABASE_URL overrides it."},
       str(&config::database, &config::database_section::url)},
      {{"database.pool_size", "integer", "4", "Connections the node keeps to PostgreSQL."},
       integer(&config::database, &config::database_section::pool_size, 1, 256)},
      {{"database.calendar_pool_size", "integer", "4",
        "Connections (one thread each) for the dialogs' calendar tools, apart from the calls' "
        "own writes."},
       integer(&config::database, &config::database_section::calendar_pool_size, 1, 256)},
      {{"log.level", "string", "\"info\"", "trace, debug, info, warn, error or off."},
       str(&config::log, &config::log_section::level,
           [](const std::string& v) {
             return one_of(v, {"trace", "debug", "info", "warn", "error", "off"});
           })},
      {{"log.format", "string", "\"text\"", "text (human-readable) or json (one object a line)."},
       str(&config::log, &config::log_section::format,
           [](const std::string& v) { return one_of(v, {"text", "json"}); })},
      {{"scheduler.max_threads", "integer", "2",
        "CAF scheduler threads. Blocking work runs on its own pools, never here."},
       integer(&config::scheduler, &config::scheduler_section::max_threads, 1, 256)},
      {{"scheduler.policy", "string", "\"sharing\"",
        "CAF scheduling policy: sharing (low idle CPU) or stealing."},
       str(&config::scheduler, &config::scheduler_section::policy,
           [](const std::string& v) { return one_of(v, {"sharing", "stealing"}); })},
      {{"scheduler.realtime_priority", "integer", "10",
        "Real-time priority (SCHED_RR, 1-99) of the threads that carry the voice: the io "
        "threads and CAF's scheduler, which never block. On a busy machine they then run "
        "before everything else. Needs CAP_SYS_NICE or LimitRTPRIO; without, the node warns "
        "and runs them normally. 0: the normal policy."},
       integer(&config::scheduler, &config::scheduler_section::realtime_priority, 0, 99)},
      {{"speech.mode", "string", "\"embedded\"",
        "embedded: PocketSphinx, Flite and the dialog engine answer calls. echo: the call "
        "echoes the caller. instant: the dialog engine with a recogniser that reads the "
        "caller's declared script and a tone for speech (echo and instant: transport tests "
        "and benchmarks only)."},
       str(&config::speech, &config::speech_section::mode,
           [](const std::string& v) { return one_of(v, {"embedded", "echo", "instant"}); })},
      {{"speech.voice", "string", "\"kal16\"", "Flite voice of the receptionist: kal16, kal, rms, slt, awb."},
       str(&config::speech, &config::speech_section::voice,
           [](const std::string& v) { return one_of(v, {"kal16", "kal", "rms", "slt", "awb"}); })},
      {{"speech.dialog", "string", "\"rules\"",
        "The dialog engine: rules (the receptionist), llm (a language model, see [llm]; the "
        "call goes on with rules if the model cannot answer) or echo (repeats the caller; for "
        "tests)."},
       str(&config::speech, &config::speech_section::dialog,
           [](const std::string& v) { return one_of(v, {"rules", "llm", "echo"}); })},
      {{"speech.decoders", "integer", "24",
        "Recogniser decoders (each ~7 MB, about 45 ms each at start). A caller who starts speaking "
        "while all are busy waits for one, the audio kept, and is decoded whole when the turn ends "
        "(slow); only an utterance that ends before one frees is asked to repeat. Give at least as "
        "many as callers who may speak at the same moment."},
       integer(&config::speech, &config::speech_section::decoders, 1, 256)},
      {{"speech.threads", "integer", "2", "Worker threads for recognition and synthesis."},
       integer(&config::speech, &config::speech_section::threads, 1, 256)},
      {{"speech.recordings_dir", "string", "\"recordings\"",
        "Where call recordings (Ogg Opus) are written; empty: calls are not recorded."},
       str(&config::speech, &config::speech_section::recordings_dir)},
      {{"speech.mllr", "string", "\"auto\"",
        "MLLR transform of the recogniser's acoustic model to the telephone channel, made by "
        "scripts/adapt-acoustic.sh at build time. auto: the build's (build/mllr/mllr_matrix) "
        "when present, else none; a path: that file, and a missing or broken one stops startup; "
        "empty: none."},
       str(&config::speech, &config::speech_section::mllr)},
      {{"speech.accept_scripts", "boolean", "false",
        "Dialog tests only (frontdesk call --text): a call whose stream declares a script is "
        "heard as that text, turn by turn, instead of through the recogniser."},
       boolean(&config::speech, &config::speech_section::accept_scripts)},
      {{"speech.spell_unsure_names", "boolean", "false",
        "The rules engine asks the caller to spell a last name the recogniser was unsure of "
        "(once per call, before the read-back). Off: the name is read back as heard, and the "
        "caller corrects it there."},
       boolean(&config::speech, &config::speech_section::spell_unsure_names)},
      {{"speech.second_pass", "string", "\"auto\"",
        "A turn whose reading is refused while the recogniser leaned towards the expected "
        "answer (yes/no, digits, a spelling) is decoded again without the leaning: always, "
        "never, or auto: only while fewer recognitions than twice speech.threads are under "
        "way (with many callers speaking at once, the second decode would delay every caller's "
        "answer)."},
       str(&config::speech, &config::speech_section::second_pass,
           [](const std::string& v) { return one_of(v, {"auto", "always", "never"}); })},
      {{"speech.general_model", "string", "\"/usr/share/pocketsphinx/model/en-us/en-us.lm.bin\"",
        "A general English language model to decode a turn once more when the business's "
        "models still heard it poorly (words they do not cover come out as in-domain garbage, "
        "such as \"goodbye\"); the surer reading is kept. Loaded in the background when a turn "
        "first needs it (about 1 s of CPU, 90 MB); used by one turn at a time and under the "
        "speech.second_pass rule (auto: only while no other caller is being decoded). Empty: "
        "off. A path that cannot be read stops startup."},
       str(&config::speech, &config::speech_section::general_model)},
      {{"speech.stt", "string", "\"pocketsphinx\"",
        "The recogniser with speech.mode = embedded: pocketsphinx, or deepgram (live streaming, "
        "key from DEEPGRAM_API_KEY; a refused or twice-dropped socket goes on with PocketSphinx)."},
       str(&config::speech, &config::speech_section::stt,
           [](const std::string& v) { return one_of(v, {"pocketsphinx", "deepgram"}); })},
      {{"speech.tts", "string", "\"flite\"",
        "The voice with speech.mode = embedded: flite, openai (key from OPENAI_API_KEY) or "
        "deepgram (Aura); a slow or failed sentence is spoken by Flite."},
       str(&config::speech, &config::speech_section::tts,
           [](const std::string& v) { return one_of(v, {"flite", "openai", "deepgram"}); })},
      {{"speech.deepgram_url", "string", "\"wss://api.deepgram.com/v1/listen\"",
        "Deepgram's live endpoint (ws:// on loopback for tests)."},
       str(&config::speech, &config::speech_section::deepgram_url, check_ws_url)},
      {{"speech.deepgram_model", "string", "\"nova-3\"", "Deepgram recognition model."},
       str(&config::speech, &config::speech_section::deepgram_model)},
      {{"speech.deepgram_endpointing_ms", "integer", "300",
        "Pause (ms) after which Deepgram marks a result speech_final."},
       integer(&config::speech, &config::speech_section::deepgram_endpointing_ms, 10, 5000)},
      {{"speech.deepgram_utterance_end_ms", "integer", "1000",
        "Word gap (ms) after which Deepgram sends UtteranceEnd, the fallback end of a turn."},
       integer(&config::speech, &config::speech_section::deepgram_utterance_end_ms, 1000, 5000)},
      {{"speech.deepgram_send_every_ms", "integer", "100",
        "The caller's audio goes to Deepgram in messages of at least this many ms: "
        "fewer, larger messages cost less per second of audio; partial words (barge-in) come "
        "up to this much later. A turn's end sends what is held back at once."},
       integer(&config::speech, &config::speech_section::deepgram_send_every_ms, 20, 1000)},
      {{"speech.deepgram_tts_url", "string", "\"https://api.deepgram.com/v1\"",
        "Deepgram's API for Aura speech; requests go to {url}/speak."},
       str(&config::speech, &config::speech_section::deepgram_tts_url, check_url)},
      {{"speech.deepgram_voice", "string", "\"aura-2-thalia-en\"", "Deepgram Aura voice model."},
       str(&config::speech, &config::speech_section::deepgram_voice)},
      {{"speech.openai_tts_url", "string", "\"https://api.openai.com/v1\"",
        "OpenAI's API for speech; requests go to {url}/audio/speech."},
       str(&config::speech, &config::speech_section::openai_tts_url, check_url)},
      {{"speech.openai_tts_model", "string", "\"gpt-4o-mini-tts\"", "OpenAI speech model."},
       str(&config::speech, &config::speech_section::openai_tts_model)},
      {{"speech.openai_voice", "string", "\"alloy\"", "OpenAI voice."},
       str(&config::speech, &config::speech_section::openai_voice)},
      {{"speech.tts_first_byte_ms", "integer", "1200",
        "A cloud voice's first byte later than this (ms): the sentence is spoken by Flite."},
       integer(&config::speech, &config::speech_section::tts_first_byte_ms, 100, 30000)},
      {{"twilio.account_sid", "string", "\"\"",
        "Twilio account (AC...). The auth token comes from TWILIO_AUTH_TOKEN only."},
       str(&config::twilio, &config::twilio_section::account_sid)},
      {{"twilio.validate_signatures", "boolean", "true",
        "Refuse webhooks without a valid X-Twilio-Signature. Turn off only on a private test line."},
       boolean(&config::twilio, &config::twilio_section::validate_signatures)},
      {{"twilio.api_base_url", "string", "\"https://api.twilio.com\"",
        "Twilio's REST API; texts go to {api_base_url}/2010-04-01/Accounts/{account_sid}/"
        "Messages.json. A plain http:// URL works (a fake on loopback). Without an account_sid "
        "no text leaves the node: each is written to sms_log as 'logged'."},
       str(&config::twilio, &config::twilio_section::api_base_url, check_url)},
      {{"twilio.sms_timeout_ms", "integer", "10000",
        "How long one Messages API request may take; a text whose request timed out is looked "
        "up before it is sent again."},
       integer(&config::twilio, &config::twilio_section::sms_timeout_ms, 100, 120000)},
      {{"google.accounts_base_url", "string", "\"https://accounts.google.com\"",
        "Google's consent page: `frontdesk calendar connect` prints {accounts_base_url}/o/oauth2/v2/auth?... "
        "The client comes from GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET only."},
       str(&config::google, &config::google_section::accounts_base_url, check_url)},
      {{"google.oauth_base_url", "string", "\"https://oauth2.googleapis.com\"",
        "Google's OAuth2 token endpoint is {oauth_base_url}/token. A plain http:// URL works (a fake on loopback)."},
       str(&config::google, &config::google_section::oauth_base_url, check_url)},
      {{"google.api_base_url", "string", "\"https://www.googleapis.com/calendar/v3\"",
        "Google Calendar API v3. A plain http:// URL works (a fake on loopback)."},
       str(&config::google, &config::google_section::api_base_url, check_url)},
      {{"google.mirror_max_age_seconds", "integer", "900",
        "When Google cannot be asked before a slot is held and the busy mirror is older than this, "
        "the slot counts as taken (fail closed)."},
       integer(&config::google, &config::google_section::mirror_max_age_seconds, 1, 86400)},
      {{"google.poll_seconds", "integer", "180",
        "The backstop: every connected calendar is synced at least this often, push or not."},
       integer(&config::google, &config::google_section::poll_seconds, 1, 86400)},
      {{"google.channel_ttl_seconds", "integer", "604800",
        "The life asked for a watch channel (Google may give less; renewal follows what it gave)."},
       integer(&config::google, &config::google_section::channel_ttl_seconds, 60, 2592000)},
      {{"google.renew_before_seconds", "integer", "86400",
        "A watch channel is replaced (new first, then the old stopped) this long before it expires."},
       integer(&config::google, &config::google_section::renew_before_seconds, 1, 2592000)},
      {{"google.api_timeout_ms", "integer", "10000", "How long one Google request may take."},
       integer(&config::google, &config::google_section::api_timeout_ms, 100, 120000)},
      {{"google.free_busy_timeout_ms", "integer", "2500",
        "How long the live freeBusy check before holding a slot may take."},
       integer(&config::google, &config::google_section::free_busy_timeout_ms, 100, 60000)},
      {{"google.watch", "boolean", "true",
        "Open watch channels to {node.public_url}/google/calendar/notify (needs a public https URL)."},
       boolean(&config::google, &config::google_section::watch)},
      {{"llm.base_url", "string", "\"https://api.openai.com/v1\"",
        "Any OpenAI-compatible Chat Completions server; requests go to {base_url}/chat/completions. "
        "The key comes from OPENAI_API_KEY only (none is sent when it is unset)."},
       str(&config::llm, &config::llm_section::base_url, check_url)},
      {{"llm.model", "string", "\"gpt-4o-mini\"", "The model the dialog asks."},
       str(&config::llm, &config::llm_section::model,
           [](const std::string& v) { return v.empty() ? std::string("must not be empty") : ""; })},
      {{"llm.temperature", "float", "0.3", "Sampling temperature, 0 to 2; low keeps a receptionist on script."},
       floating(&config::llm, &config::llm_section::temperature, 0.0, 2.0)},
      {{"llm.connect_timeout_ms", "integer", "3000", "How long one attempt may take to connect."},
       integer(&config::llm, &config::llm_section::connect_timeout_ms, 100, 60000)},
      {{"llm.timeout_ms", "integer", "15000",
        "How long one attempt may take from connecting to the reply's last byte."},
       integer(&config::llm, &config::llm_section::timeout_ms, 100, 300000)},
      {{"llm.max_attempts", "integer", "3",
        "Tries per model request: 429, 5xx and connection failures are retried with backoff."},
       integer(&config::llm, &config::llm_section::max_attempts, 1, 10)},
      {{"outbox.threads", "integer", "2",
        "Threads that carry out the outbox (texts) on this node; every node runs its own."},
       integer(&config::outbox, &config::outbox_section::threads, 1, 64)},
      {{"outbox.batch", "integer", "16", "Rows a thread claims at once."},
       integer(&config::outbox, &config::outbox_section::batch, 1, 1000)},
      {{"outbox.poll_ms", "integer", "500", "How often an idle thread looks for due rows."},
       integer(&config::outbox, &config::outbox_section::poll_ms, 10, 60000)},
      {{"outbox.lease_seconds", "integer", "60",
        "How long a claimed row is held; a row its node left 'sending' longer is reconciled by "
        "another. Keep it above twilio.sms_timeout_ms."},
       integer(&config::outbox, &config::outbox_section::lease_seconds, 1, 86400)},
      {{"outbox.max_attempts", "integer", "8",
        "Attempts before a row is dead (kept with its last error; frontdesk outbox retry ID)."},
       integer(&config::outbox, &config::outbox_section::max_attempts, 1, 100)},
      {{"outbox.backoff_base_ms", "integer", "2000",
        "First retry delay; it doubles each attempt, half of it random (Retry-After honoured)."},
       integer(&config::outbox, &config::outbox_section::backoff_base_ms, 1, 3600000)},
      {{"outbox.backoff_max_ms", "integer", "600000", "Longest retry delay."},
       integer(&config::outbox, &config::outbox_section::backoff_max_ms, 1, 86400000)},
      {{"outbox.stuck_seconds", "integer", "300",
        "/ready reports the outbox stuck when a due row has waited longer than this."},
       integer(&config::outbox, &config::outbox_section::stuck_seconds, 1, 86400)},
      {{"outbox.status_check_after_seconds", "integer", "600",
        "A sent text with no final status callback this long is looked up at Twilio (then at "
        "doubling intervals)."},
       integer(&config::outbox, &config::outbox_section::status_check_after_seconds, 1, 86400)},
      {{"outbox.status_check_max", "integer", "8",
        "Looks at most per text; after them the log keeps the last status Twilio gave."},
       integer(&config::outbox, &config::outbox_section::status_check_max, 0, 100)},
      {{"cluster.listen", "string", "\"\"",
        "HOST:PORT this node's cluster port binds (CAF networking between nodes). Empty: the "
        "node is alone."},
       str(&config::cluster, &config::cluster_section::listen)},
      {{"cluster.seeds", "string", "\"\"",
        "HOST:PORT,... of nodes to join through; any one that answers will do, and the node "
        "learns every other member from it. A node whose seeds are all down starts alone and "
        "keeps trying."},
       str(&config::cluster, &config::cluster_section::seeds)},
      {{"cluster.public_url", "string", "\"\"",
        "The load balancer's URL in front of every node: the <Connect action> and status "
        "callbacks go there, while each node's media stream uses its own node.public_url."},
       str(&config::cluster, &config::cluster_section::public_url,
           [](const std::string& v) { return v.empty() ? std::string() : check_url(v); })},
      {{"cluster.insecure", "boolean", "false",
        "Plain TCP between nodes, unauthenticated: tests on loopback only. Otherwise every link "
        "is mutual TLS with certificates of the cluster CA (scripts/cluster-certs.sh)."},
       boolean(&config::cluster, &config::cluster_section::insecure)},
      {{"cluster.certificate", "string", "\"\"", "This node's certificate (PEM), signed by the cluster CA."},
       str(&config::cluster, &config::cluster_section::certificate)},
      {{"cluster.key", "string", "\"\"", "This node's private key (PEM)."},
       str(&config::cluster, &config::cluster_section::key)},
      {{"cluster.cafile", "string", "\"\"",
        "The cluster CA's certificate (PEM): a peer whose certificate it did not sign is refused."},
       str(&config::cluster, &config::cluster_section::cafile)},
      {{"cluster.heartbeat_ms", "integer", "1000",
        "Heartbeat interval on every cluster link; the same on every node and console."},
       integer(&config::cluster, &config::cluster_section::heartbeat_ms, 50, 60000)},
      {{"cluster.timeout_ms", "integer", "5000",
        "A link silent this long is dropped and its node is gone (a frozen node is noticed "
        "within this plus one heartbeat; a killed one at once, by its connection's reset)."},
       integer(&config::cluster, &config::cluster_section::timeout_ms, 100, 600000)},
      {{"cluster.connect_timeout_ms", "integer", "2000",
        "How long dialling one node may take (a dead or silent address)."},
       integer(&config::cluster, &config::cluster_section::connect_timeout_ms, 100, 60000)},
      {{"cluster.request_timeout_ms", "integer", "3000",
        "How long a request to another node may take before it is retried or fails."},
       integer(&config::cluster, &config::cluster_section::request_timeout_ms, 50, 60000)},
      {{"cluster.orphan_grace_ms", "integer", "2000",
        "After a node is lost, how long before a survivor finishes the calls it left open."},
       integer(&config::cluster, &config::cluster_section::orphan_grace_ms, 0, 600000)},
      {{"cluster.spread_above", "float", "0.8",
        "A node whose live calls pass this share of node.max_calls answers the voice webhook "
        "with another node's media stream, the least loaded one below that share (itself when "
        "none is)."},
       floating(&config::cluster, &config::cluster_section::spread_above, 0.0, 1.0)},
      {{"console.batch_ms", "integer", "20",
        "How long a node gathers a watched call's events before sending them to the operator "
        "consoles, as one message per console process (0: each event at once, one message per "
        "console). Longer costs the node less CPU and the consoles more delay."},
       integer(&config::console, &config::console_section::batch_ms, 0, 1000)},
  };
  return list;
}

std::string where(const std::string& source, const toml::node& n) {
  auto line = n.source().begin.line;
  return source + ":" + std::to_string(line);
}

// Walks the parsed document; every leaf must be a known key.
std::optional<failure> walk(const toml::table& table, const std::string& prefix,
                            const std::string& source, config& cfg) {
  for (auto&& [k, node] : table) {
    std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (auto* sub = node.as_table()) {
      bool known_section = false;
      for (auto& e : entries())
        if (e.key.path.rfind(path + ".", 0) == 0)
          known_section = true;
      if (!known_section)
        return fail("config_unknown_key", where(source, node) + ": unknown section '" + path + "'");
      if (auto err = walk(*sub, path, source, cfg))
        return err;
      continue;
    }
    const key_entry* entry = nullptr;
    for (auto& e : entries())
      if (e.key.path == path)
        entry = &e;
    if (!entry)
      return fail("config_unknown_key", where(source, node) + ": unknown key '" + path + "'");
    if (auto err = entry->apply(cfg, node); !err.empty())
      return fail("config_bad_value", where(source, node) + ": key '" + path + "' " + err);
  }
  return std::nullopt;
}

} // namespace

const std::vector<config_key>& config_keys() {
  static const std::vector<config_key> keys = [] {
    std::vector<config_key> out;
    for (auto& e : entries())
      out.push_back(e.key);
    return out;
  }();
  return keys;
}

void apply_environment(config& cfg, const std::function<const char*(const char*)>& getenv) {
  if (const char* v = getenv("DATABASE_URL"); v && *v)
    cfg.database.url = v;
  if (const char* v = getenv("TWILIO_AUTH_TOKEN"); v && *v)
    cfg.twilio.auth_token = v;
  if (const char* v = getenv("TWILIO_ACCOUNT_SID"); v && *v)
    cfg.twilio.account_sid = v;
  if (const char* v = getenv("OPENAI_API_KEY"); v && *v)
    cfg.llm.api_key = v;
  if (const char* v = getenv("DEEPGRAM_API_KEY"); v && *v)
    cfg.speech.deepgram_api_key = v;
  if (const char* v = getenv("GOOGLE_CLIENT_ID"); v && *v)
    cfg.google.client_id = v;
  if (const char* v = getenv("GOOGLE_CLIENT_SECRET"); v && *v)
    cfg.google.client_secret = v;
  if (const char* v = getenv("FRONTDESK_SECRET_KEY"); v && *v)
    cfg.google.secret_key = v;
}

expected<config> parse_config(const std::string& text, const std::string& source_name) {
  config cfg;
  toml::table doc;
  try {
    doc = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return fail("config_syntax", source_name + ":" + std::to_string(e.source().begin.line) + ": " +
                                     std::string(e.description()));
  }
  if (auto err = walk(doc, "", source_name, cfg))
    return *err;
  return cfg;
}

expected<config> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return fail("config_missing", "cannot read configuration file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

std::optional<failure> validate(const config& cfg) {
  if (auto e = check_host_port(cfg.node.listen); !e.empty())
    return fail("config_bad_value", "node.listen " + e);
  if (auto e = check_url(cfg.node.public_url); !e.empty())
    return fail("config_bad_value", "node.public_url " + e);
  if (cfg.speech.dialog == "llm") {
    if (auto e = check_url(cfg.llm.base_url); !e.empty())
      return fail("config_bad_value", "llm.base_url " + e);
  }
  return std::nullopt;
}

} // namespace frontdesk
