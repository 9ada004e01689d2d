#include "actors/dialog/echo_engine.hpp"

#include "actors/dialog/understand.hpp"

namespace frontdesk::dialog {

reply echo_engine::start(const business_context& ctx) {
  name_ = ctx.name;
  reply r;
  r.say = ctx.greeting.empty() ? "Thank you for calling " + ctx.name + ". How can I help you today?"
                               : ctx.greeting;
  return r;
}

reply echo_engine::on_caller(std::string_view text) {
  ++turns_;
  reply r;
  if (classify(text) == intent::goodbye) {
    said_goodbye_ = true;
    r.say = "Thank you for calling" + (name_.empty() ? std::string() : " " + name_) + ". Goodbye!";
    r.end_call = true;
    return r;
  }
  r.say = "You said: " + std::string(text) + ".";
  return r;
}

summary echo_engine::summarize() const {
  return summary{"a test call", said_goodbye_ ? "caller_said_goodbye" : "no_action", ""};
}

} // namespace frontdesk::dialog
