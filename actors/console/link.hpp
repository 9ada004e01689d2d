#pragma once

// The console program's link to the cluster (actor code, the console's own files only).

#include <chrono>
#include <optional>
#include <thread>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "actors/console/client.hpp"
#include "actors/console/receiver.hpp"
#include "protocols/actor/cluster_messages.hpp"

namespace frontdesk::console {

/// A field of an event as text: a string as it is, another value as JSON, null or absent empty.
inline std::string field(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null())
    return "";
  return v->is_string() ? std::string(v->as_string()) : boost::json::serialize(*v);
}

// A console's link to the cluster: the session on one node, and what to re-ask on another
// node when that one goes away.
class link {
public:
  // The console's events come through a receiver (one batch per node tick); it knows this
  // console before any login.
  link(caf::actor_system& sys, caf::scoped_actor& self, const client_options& o)
      : sys_(sys), self_(self), o_(o), receiver_(spawn_receiver(sys)) {
    enroll(receiver_, caf::actor{self_});
  }
  ~link() { caf::anon_send_exit(receiver_, caf::exit_reason::user_shutdown); }
  link(const link&) = delete;
  link& operator=(const link&) = delete;

  /// Whether a console_event came from this console's session (directly, or through the
  /// receiver), not from a session left behind.
  bool from_session(const caf::strong_actor_ptr& sender) const {
    return sender && (sender == caf::actor_cast<caf::strong_actor_ptr>(session_) ||
                      sender == caf::actor_cast<caf::strong_actor_ptr>(receiver_));
  }

  /// Logs in at the first node of the list (from the one after the last used) that takes the
  /// token. Returns the welcome; `refused` set when a node refused the token (no use trying
  /// the others), `error_` when no node answered.
  std::optional<proto::console_welcome> login() {
    last_error_.clear();
    for (std::size_t i = 0; i < o_.nodes.size(); ++i) {
      auto idx = (start_ + i) % o_.nodes.size();
      auto& [host, port] = o_.nodes[idx];
      // CAF aborts a TLS handshake still pending at a heartbeat tick (connection_timeout): a
      // busy machine needs a second try, so each node gets three, 200 ms apart.
      auto w = login_at(host, port);
      for (int attempt = 1; !w && attempt < 3; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        w = login_at(host, port);
      }
      if (!w)
        continue;
      if (!w->refused.empty())
        return w;
      start_ = idx;
      session_ = w->session;
      self_->monitor(session_);
      node_ = w->node;
      return w;
    }
    return std::nullopt;
  }

  /// The next login starts at the node after the current one.
  void lost() {
    session_ = nullptr;
    start_ = (start_ + 1) % o_.nodes.size();
  }

  const caf::actor& session() const { return session_; }
  const std::string& node() const { return node_; }
  const std::string& error() const { return last_error_; }

  /// Sends a command; the reply comes back as a proto::console_reply message.
  void send(const std::string& id, const std::string& line) {
    if (session_)
      self_->request(session_, std::chrono::seconds(30), proto::console_command{id, line})
          .receive([&](proto::console_reply& r) { replies_.push_back(std::move(r)); },
                   [&, id](caf::error& e) {
                     replies_.push_back(proto::console_reply{id, "failed", sys_.render(e), "null"});
                   });
  }

  std::vector<proto::console_reply> take_replies() { return std::exchange(replies_, {}); }

  void ack(std::uint64_t seq) {
    if (session_)
      self_->send(session_, proto::console_ack_atom::value, seq);
  }

private:
  std::optional<proto::console_welcome> login_at(const std::string& host, std::uint16_t port) {
    auto where = host + ":" + std::to_string(port);
    auto mm = o_.link.insecure ? sys_.middleman().actor_handle()
                               : sys_.openssl_manager().actor_handle();
    std::optional<proto::console_welcome> out;
    self_->request(mm, o_.link.connect_timeout, caf::connect_atom::value, host, port)
        .receive(
            [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
              if (!ptr || !sys_.assignable<proto::console_member_actor>(ifs)) {
                last_error_ = "no Frontdesk node of this version at " + where;
                return;
              }
              auto h = caf::actor_cast<proto::console_member_actor>(std::move(ptr));
              self_->request(h, o_.link.request_timeout,
                             proto::console_login{proto::console_protocol, o_.token, o_.name, receiver_})
                  .receive([&](proto::console_welcome& w) { out = std::move(w); },
                           [&](caf::error& e) { last_error_ = where + ": " + sys_.render(e); });
            },
            [&](caf::error& e) { last_error_ = "cannot connect to " + where + ": " + sys_.render(e); });
    return out;
  }

  caf::actor_system& sys_;
  caf::scoped_actor& self_;
  const client_options& o_;
  caf::actor receiver_;
  caf::actor session_;
  std::string node_;
  std::size_t start_ = 0;
  std::string last_error_;
  std::vector<proto::console_reply> replies_;
};


} // namespace frontdesk::console
