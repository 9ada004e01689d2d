#pragma once

// The console protocol: what an operator console says to a node's console gateway (through the
// member actor on the cluster port) and to the session the gateway hands it, with a type-id
// block of its own after the cluster's (in cluster_messages.hpp, which includes this and lets
// the member actor take logins). Include this only from actor code.
//
//   console ──console_login──▶ member actor ──▶ gateway ──spawns──▶ session (scoped to the user)
//   console ──console_command──▶ session ──console_reply──▶ console
//   session ──console_event (seq)──▶ console ──console_ack_atom(seq)──▶ session
//
// A console process that gives a receiver at login (console_login::receiver) gets its events
// through it instead, for all its consoles at once:
//   node's gateway ──console_batch (seq, once per tick)──▶ receiver ──console_event──▶ consoles
//   receiver ──console_batch_ack_atom(seq)──▶ gateway
//
// A session never waits on its console: events go out as they come (batched over a few ms),
// and a console (or a receiver) whose unacknowledged batches pass a bound is dropped.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>


namespace frontdesk::proto {

/// Bumped on any change of a message below.
inline constexpr std::uint32_t console_protocol = 4;

/// A console_event's `json` holds one or more events, one JSON object a line (a session
/// batches what it sends within a few ms). Calls `f` with each line.
template <class F>
void for_each_event_line(const std::string& json, F&& f) {
  std::size_t from = 0;
  while (from < json.size()) {
    auto nl = json.find('\n', from);
    auto to = nl == std::string::npos ? json.size() : nl;
    if (to > from)
      f(std::string_view(json).substr(from, to - from));
    from = to + 1;
  }
}

/// A console logs in with a staff token.
struct console_login {
  std::uint32_t protocol = console_protocol;
  std::string token;
  std::string client; // what the console calls itself (for the audit log)
  /// The console process's receiver of console_batch messages, shared by all its consoles;
  /// unset: the session sends its console console_event messages itself.
  caf::actor receiver{};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, console_login& x) {
  return f(caf::meta::type_name("console_login"), x.protocol, x.token, x.client, x.receiver);
}

/// The login's answer: who the token is, where, and the session to send commands to; or, with
/// `refused` set, why not (and nothing else).
struct console_welcome {
  std::string refused;
  std::string email;
  std::string node;                    // the node that serves this session
  std::vector<std::string> businesses; // ids, with the role at each (same order)
  std::vector<std::string> roles;
  caf::actor session;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, console_welcome& x) {
  return f(caf::meta::type_name("console_welcome"), x.refused, x.email, x.node, x.businesses, x.roles,
           x.session);
}

/// One command as typed ("watch CALL"), with the console's id for it.
struct console_command {
  std::string id;
  std::string line;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, console_command& x) {
  return f(caf::meta::type_name("console_command"), x.id, x.line);
}

/// A command's one reply: done, not_applicable, refused or failed, a detail for people and
/// the verb's data (a JSON value, "null" when none).
struct console_reply {
  std::string id;
  std::string result;
  std::string detail;
  std::string data = "null";
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, console_reply& x) {
  return f(caf::meta::type_name("console_reply"), x.id, x.result, x.detail, x.data);
}

/// One pushed change (a JSON object: call, turn, status, snapshot ...), numbered per session.
struct console_event {
  std::uint64_t seq = 0;
  std::string json;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, console_event& x) {
  return f(caf::meta::type_name("console_event"), x.seq, x.json);
}

/// One payload of a console_batch and the consoles it is for (actor ids in the receiver's
/// process): consoles that were to get the same events share one part.
struct console_part {
  std::vector<std::uint64_t> consoles;
  std::string json; // as console_event::json
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, console_part& x) {
  return f(caf::meta::type_name("console_part"), x.consoles, x.json);
}

/// What a node has for the consoles of one console process since its last batch (one message
/// per process per tick however many consoles it runs), numbered per receiver.
struct console_batch {
  std::uint64_t seq = 0;
  std::vector<console_part> parts;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, console_batch& x) {
  return f(caf::meta::type_name("console_batch"), x.seq, x.parts);
}

/// A change of a call or an appointment as the node's live feed saw it (gateway-internal).
struct feed_item {
  std::int64_t id = 0;
  std::string business_id;
  std::string kind;
  std::string data;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, feed_item& x) {
  return f(caf::meta::type_name("feed_item"), x.id, x.business_id, x.kind, x.data);
}

/// A steering command for a call another node runs, passed between the nodes' gateways.
/// With `subscriber` set it is a subscription to the call's tap instead ("watch CALL":
/// states and partial words, "listen CALL": those and the audio, "unwatch CALL": no more),
/// whose tap_events go to `subscriber` (the console's session) until the call ends.
struct steer_request {
  std::string call_id;
  std::string line;  // the command as typed (parsed again where it is carried out)
  std::string email; // who asked (checked for scope and role on the asking node)
  caf::actor subscriber;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, steer_request& x) {
  return f(caf::meta::type_name("steer_request"), x.call_id, x.line, x.email, x.subscriber);
}

/// One thing a live call told its tap (protocols/console/tap.hpp), from the node that runs it
/// to a subscribed session: `kind` is a console::tap_item::kind.
struct tap_event {
  std::string call_id;
  std::uint8_t kind = 0;
  std::string text;
  std::uint64_t n = 0, at = 0;
  std::vector<std::uint8_t> audio;
  std::int64_t at_us = 0; // when the call told it (µs since the epoch, the node's clock)
  std::string role;       // turn
  bool interrupted = false;
  /// The event as a console gets it (one JSON object), made once for every session the call's
  /// node sends it to; empty for audio.
  std::string line;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tap_event& x) {
  return f(caf::meta::type_name("tap_event"), x.call_id, x.kind, x.text, x.n, x.at, x.audio,
           x.at_us, x.role, x.interrupted, x.line);
}

using console_ack_atom = caf::atom_constant<caf::atom("cack")>;
/// A receiver has read the console_batch messages up to a number.
using console_batch_ack_atom = caf::atom_constant<caf::atom("cback")>;
using steer_atom = caf::atom_constant<caf::atom("csteer")>;

/// A node's console gateway: logs consoles in.
using console_gateway_actor =
    caf::typed_actor<caf::replies_to<console_login>::with<console_welcome>,
                     caf::replies_to<steer_request>::with<console_reply>,
                     caf::reacts_to<feed_item>,
                     caf::reacts_to<console_batch_ack_atom, std::uint64_t>>;

} // namespace frontdesk::proto
