#pragma once

#include <array>
#include <string>

namespace frontdesk::call {

/// The call supervisor's children that may fail and be replaced.
enum class child { listener, speaker, dialog };
const char* to_string(child c);

/// What the supervisor does when a child fails. Pure: the supervisor actor only carries it out.
struct restart_decision {
  enum class action {
    restart,          // spawn a fresh child and go on
    apologise_and_end, // say `say`, then hang up once it has played
    hang_up           // the speaker is gone: nothing can be said, end now
  } what = action::restart;
  std::string say;    // for restart: a re-prompt when a caller turn was lost; else the apology
  int failures = 0;   // of this child in this call, this one included
};

/// Bounded restarts per child: up to `max_restarts` replacements each, then the call is ended
/// politely (or at once when the speaker itself keeps failing).
class restart_policy {
public:
  explicit restart_policy(int max_restarts = 3) : max_(max_restarts) {}
  /// `turn_in_flight`: the dialog had a caller turn it had not answered.
  restart_decision on_failure(child c, bool turn_in_flight);
  int restarts() const { return total_; } // replacements made so far, all children
  int failures(child c) const { return failures_[static_cast<std::size_t>(c)]; }

private:
  int max_;
  int total_ = 0;
  std::array<int, 3> failures_{};
};

} // namespace frontdesk::call
