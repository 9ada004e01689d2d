#include "actors/dialog/call_record.hpp"

#include <algorithm>

namespace frontdesk::dialog {
namespace {

std::string joined(const std::vector<std::string>& items, const char* sep = "; ") {
  std::string out;
  for (auto& i : items)
    out += (out.empty() ? "" : sep) + i;
  return out;
}

std::string sentence(std::string s) {
  if (!s.empty() && s.back() != '.' && s.back() != '?' && s.back() != '!')
    s += '.';
  return s;
}

} // namespace

void call_record::follow_up(std::string what) {
  if (!what.empty() && std::find(follow_ups.begin(), follow_ups.end(), what) == follow_ups.end())
    follow_ups.push_back(std::move(what));
}

std::string call_record::narrative() const {
  std::string out = "Called " + (reason.empty() ? std::string("without saying why") : reason) + ".";
  for (auto& c : changes) {
    std::string what = c.what.empty() ? "an appointment" : c.what;
    if (c.kind == "booked")
      out += " Booked " + what + (c.name.empty() ? "" : " for " + c.name) +
             (c.when.empty() ? "" : " on " + c.when) + ".";
    else if (c.kind == "moved")
      out += " Moved " + (c.what.empty() ? std::string("their appointment") : what) +
             (c.from.empty() ? "" : " from " + c.from) + (c.when.empty() ? "" : " to " + c.when) +
             ".";
    else if (c.kind == "cancelled")
      out += " Cancelled " + (c.what.empty() ? std::string("their appointment") : what) +
             (c.when.empty() ? "" : " on " + c.when) + ".";
  }
  if (changes.empty() && !transferred)
    out += " Nothing was booked or changed.";
  if (!answered.empty())
    out += " Answered: " + sentence(joined(answered));
  if (!unanswered.empty())
    out += " Not answered: " + sentence(joined(unanswered));
  if (transferred)
    out += " Transferred to staff" +
           (transfer_reason.empty() ? std::string(".") : ": " + sentence(transfer_reason));
  if (!follow_ups.empty())
    out += " Follow-up: " + sentence(joined(follow_ups));
  return out;
}

} // namespace frontdesk::dialog
