#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocols/core/expected.hpp"
#include "protocols/core/time.hpp"

namespace frontdesk {

/// Everything a node can be told. Defaults here are the documented defaults in
/// config/frontdesk.toml; secrets never come from the file, only from the environment.
struct config {
  struct node_section {
    std::string name = "node-1";
    std::string listen = "127.0.0.1:8080";
    std::string public_url = "http://127.0.0.1:8080";
    std::optional<sys_time> now;
    int drain_seconds = 10;
    int max_calls = 500;
    int io_threads = 2;
  } node;
  struct database_section {
    std::string url; // DATABASE_URL wins over the file
    int pool_size = 4;
    int calendar_pool_size = 4;
  } database;
  struct log_section {
    std::string level = "info";
    std::string format = "text";
  } log;
  struct scheduler_section {
    int max_threads = 2;
    std::string policy = "sharing";
    int realtime_priority = 10; // SCHED_RR for the voice's threads; 0: the normal policy
  } scheduler;
  struct speech_section {
    std::string mode = "embedded"; // embedded | echo | instant
    std::string voice = "kal16";
    std::string dialog = "rules"; // rules | llm | echo
    int decoders = 24;
    int threads = 2;
    std::string recordings_dir = "recordings";
    bool accept_scripts = false; // dialog tests: a call's declared script replaces recognition
    bool spell_unsure_names = false; // the rules engine asks for a name heard unsure to be spelled
    std::string second_pass = "auto"; // re-decoding a poor leaned turn: auto | always | never
    /// A general language model for turns the business's models heard poorly ("": off).
    std::string general_model = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";
    std::string mllr = "auto"; // acoustic transform: auto (the build's if any), a path, or empty
    // Cloud vendors (keys from DEEPGRAM_API_KEY and OPENAI_API_KEY only).
    std::string stt = "pocketsphinx"; // pocketsphinx | deepgram
    std::string tts = "flite";        // flite | openai | deepgram
    std::string deepgram_url = "wss://api.deepgram.com/v1/listen";
    std::string deepgram_model = "nova-3";
    int deepgram_endpointing_ms = 300;
    int deepgram_utterance_end_ms = 1000;
    int deepgram_send_every_ms = 100;
    std::string deepgram_tts_url = "https://api.deepgram.com/v1";
    std::string deepgram_voice = "aura-2-thalia-en";
    std::string openai_tts_url = "https://api.openai.com/v1";
    std::string openai_tts_model = "gpt-4o-mini-tts";
    std::string openai_voice = "alloy";
    int tts_first_byte_ms = 1200;
    std::string deepgram_api_key; // DEEPGRAM_API_KEY only
  } speech;
  struct twilio_section {
    std::string account_sid;
    bool validate_signatures = true;
    std::string auth_token; // TWILIO_AUTH_TOKEN only
    std::string api_base_url = "https://api.twilio.com";
    int sms_timeout_ms = 10000;
  } twilio;
  struct google_section {
    std::string accounts_base_url = "https://accounts.google.com";
    std::string oauth_base_url = "https://oauth2.googleapis.com";
    std::string api_base_url = "https://www.googleapis.com/calendar/v3";
    int mirror_max_age_seconds = 900;
    int poll_seconds = 180;
    int channel_ttl_seconds = 604800;
    int renew_before_seconds = 86400;
    int api_timeout_ms = 10000;
    int free_busy_timeout_ms = 2500;
    bool watch = true;
    std::string client_id, client_secret; // GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET only
    std::string secret_key;               // FRONTDESK_SECRET_KEY only
  } google;
  struct outbox_section {
    int threads = 2;
    int batch = 16;
    int poll_ms = 500;
    int lease_seconds = 60;
    int max_attempts = 8;
    int backoff_base_ms = 2000;
    int backoff_max_ms = 600000;
    int stuck_seconds = 300;
    int status_check_after_seconds = 600;
    int status_check_max = 8;
  } outbox;
  struct llm_section {
    std::string base_url = "https://api.openai.com/v1";
    std::string model = "gpt-4o-mini";
    double temperature = 0.3;
    int connect_timeout_ms = 3000;
    int timeout_ms = 15000;
    int max_attempts = 3;
    std::string api_key; // OPENAI_API_KEY only
  } llm;
  struct cluster_section {
    std::string listen;     // HOST:PORT of the cluster port; empty: this node is alone
    std::string seeds;      // HOST:PORT,... to join through
    std::string public_url; // the load balancer's URL (webhooks, <Connect action>); empty: node's
    bool insecure = false;  // plain TCP between nodes (loopback tests only)
    std::string certificate, key, cafile;
    int heartbeat_ms = 1000;
    int timeout_ms = 5000;
    int connect_timeout_ms = 2000;
    int request_timeout_ms = 3000;
    int orphan_grace_ms = 2000;
    double spread_above = 0.8; // a node loaded past this share of max_calls sends new calls on
  } cluster;
  struct console_section {
    int batch_ms = 20; // how long a node gathers events before sending them to a console
  } console;
};

/// One documented key of the configuration file.
struct config_key {
  std::string path;        // "node.listen"
  std::string type;        // "string", "integer", "float", "boolean"
  std::string default_text;
  std::string doc;
};

/// Every key the file may hold, in documentation order.
const std::vector<config_key>& config_keys();

/// Reads the environment's secrets and overrides into `cfg` (DATABASE_URL, TWILIO_AUTH_TOKEN,
/// TWILIO_ACCOUNT_SID, OPENAI_API_KEY).
/// `getenv` is injected so tests need not touch the process environment.
void apply_environment(config& cfg, const std::function<const char*(const char*)>& getenv);

/// Parses TOML text into `cfg`. Unknown keys, wrong types and bad values are refused with the
/// key's name and line: `frontdesk.toml:12: unknown key 'node.lisen'`.
expected<config> parse_config(const std::string& text, const std::string& source_name);

/// Reads and parses a file; a missing or unreadable file is an error naming the path.
expected<config> load_config_file(const std::string& path);

/// Checks values that do not depend on one key alone (called after file, environment and flags).
std::optional<failure> validate(const config& cfg);

} // namespace frontdesk
