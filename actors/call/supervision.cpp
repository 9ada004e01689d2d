#include "actors/call/supervision.hpp"

namespace frontdesk::call {

const char* to_string(child c) {
  switch (c) {
  case child::listener: return "listener";
  case child::speaker: return "speaker";
  case child::dialog: return "dialog";
  }
  return "?";
}

restart_decision restart_policy::on_failure(child c, bool turn_in_flight) {
  restart_decision d;
  d.failures = ++failures_[static_cast<std::size_t>(c)];
  if (d.failures > max_) {
    if (c == child::speaker) {
      d.what = restart_decision::action::hang_up;
    } else {
      d.what = restart_decision::action::apologise_and_end;
      d.say = "I'm sorry, we're having technical trouble. Please call back later. Goodbye.";
    }
    return d;
  }
  ++total_;
  d.what = restart_decision::action::restart;
  if (c == child::dialog && turn_in_flight)
    d.say = "Sorry, could you say that again?"; // the turn died with the dialog
  return d;
}

} // namespace frontdesk::call
