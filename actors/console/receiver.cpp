#include "actors/console/receiver.hpp"

#include <unordered_map>

#include <caf/all.hpp>

#include "protocols/actor/cluster_messages.hpp"

namespace frontdesk::console {

namespace {

using enroll_atom = caf::atom_constant<caf::atom("cenroll")>;

struct receiver_state {
  receiver_state() = default;
  std::unordered_map<std::uint64_t, caf::actor> consoles; // by actor id, as the node names them
  std::uint64_t acked = 0;
};

using receiver_self = caf::stateful_actor<receiver_state>*;

// Batches acknowledged at once: few messages back (each one wakes the node's network thread
// and its gateway), far below the node's bound (gateway_services::max_unacked, 4096).
constexpr std::uint64_t ack_every = 8;

caf::behavior receiver_fn(receiver_self self) {
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& known = self->state.consoles;
    for (auto it = known.begin(); it != known.end();)
      it = it->second.address() == dm.source ? known.erase(it) : std::next(it);
  });
  return {
      [self](enroll_atom, const caf::actor& console) {
        self->monitor(console);
        self->state.consoles.emplace(console.id(), console);
      },
      [self](proto::console_batch& b) {
        auto& known = self->state.consoles;
        for (auto& part : b.parts) {
          // seq 0: the receiver acknowledges for the console.
          auto msg = caf::make_message(proto::console_event{0, std::move(part.json)});
          for (auto id : part.consoles)
            if (auto c = known.find(id); c != known.end())
              self->send(c->second, msg);
        }
        if (b.seq >= self->state.acked + ack_every)
          if (auto node = caf::actor_cast<caf::actor>(self->current_sender())) {
            self->send(node, proto::console_batch_ack_atom::value, b.seq);
            self->state.acked = b.seq;
          }
      },
  };
}

} // namespace

caf::actor spawn_receiver(caf::actor_system& sys) { return sys.spawn(receiver_fn); }

void enroll(const caf::actor& receiver, const caf::actor& console) {
  caf::anon_send(receiver, enroll_atom::value, console);
}

} // namespace frontdesk::console
