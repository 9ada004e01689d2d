#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace frontdesk {
class clock;
class worker_pool;
namespace call {
class call_port;
}
namespace http {
class server;
}
namespace metrics {
class registry;
}
namespace store {
class database;
}
} // namespace frontdesk

namespace frontdesk::call {
class call_events;
}

namespace frontdesk::edge {

class call_journals;

/// Calls whose callers are to be handed to a person when their stream ends (the dialog asked
/// for it; Twilio then asks /twilio/after-stream what to do, and is told to <Dial>).
struct transfer_book {
  std::mutex mtx;
  std::unordered_map<std::string, std::string> by_call_sid; // → business id
  /// Numbers an operator's console named for a call (by call id, then by CallSid once the
  /// call asks for its transfer); the business's transfer number otherwise.
  std::unordered_map<std::string, std::string> number_by_call_id;
  std::unordered_map<std::string, std::string> number_by_call_sid;
};

/// Saves a call's turns and latencies as they happen, through the call's journal (on the worker
/// pool). Also exports each turn's latency parts as Prometheus histograms.
std::shared_ptr<call::call_events> make_db_call_events(store::database& db, worker_pool& blocking,
                                                       metrics::registry& metrics,
                                                       std::shared_ptr<transfer_book> transfers,
                                                       std::shared_ptr<call_journals> journals);

struct edge_settings {
  std::string public_url;     // what Twilio uses to reach us; signatures are computed over it
  std::string auth_token;     // TWILIO_AUTH_TOKEN
  bool validate_signatures = true;
  std::string node_name;
  std::size_t max_calls = 500;
  /// cluster.public_url: the balancer Twilio reaches every node through (webhook signatures,
  /// the <Connect action>). Empty: public_url. The media stream always uses public_url.
  std::string cluster_url;
  /// In a cluster: which node should carry a new call, as its name and public URL (this node's
  /// own name: here). Unset: every call streams to this node.
  std::function<std::pair<std::string, std::string>()> place_call;
  /// In a cluster: whether the named node is a live member. A call whose stream ended while
  /// its node is gone is taken over by the node Twilio's <Connect action> reaches. Unset:
  /// every other node counts as alive (nothing is taken over).
  std::function<bool(const std::string& node)> node_alive;
  /// How long <Connect action> waits to learn whether the call's node is gone (a node killed
  /// is noticed at once; one that went silent takes the cluster's connection timeout).
  std::chrono::milliseconds resume_wait{3000};
};

/// Twilio's side of the node: the voice and status webhooks, the Media Stream WebSocket, and
/// /health, /ready and /metrics. Database work runs on the worker pool; the io threads only
/// parse, check and hand over.
class twilio_edge {
public:
  twilio_edge(edge_settings settings, http::server& server, store::database& db,
              worker_pool& blocking, call::call_port& calls, metrics::registry& metrics,
              const clock& clk, std::shared_ptr<transfer_book> transfers,
              std::shared_ptr<call_journals> journals);
  ~twilio_edge();

  /// Registers the routes on the server (before it listens).
  void install();

  /// New calls are refused politely from now on (draining before shutdown).
  void stop_taking_calls();

  /// Adds a check to /ready (call before install): it returns "" when fine, else why the node
  /// is not ready (answered 503). Runs on the worker pool; keep it quick.
  void add_readiness_check(std::function<std::string()> check);

  /// Media Stream sessions still open.
  std::size_t live_sessions() const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace frontdesk::edge
