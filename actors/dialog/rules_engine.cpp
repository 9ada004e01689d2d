#include "actors/dialog/rules_engine.hpp"

namespace frontdesk::dialog {
namespace {

// "a, b, or c", as the offers are read out.
std::string spoken_list(const std::vector<std::string>& items) {
  std::string list;
  for (std::size_t k = 0; k < items.size(); ++k)
    list += (k == 0 ? "" : (k + 1 == items.size() ? ", or " : ", ")) + items[k];
  return list;
}

} // namespace

std::string summary::text() const {
  std::string s = !narrative.empty()
                      ? narrative + " Outcome: " + outcome + "."
                      : "Caller wanted: " + (reason.empty() ? std::string("not stated") : reason) +
                            ". Outcome: " + outcome + ".";
  if (!follow_up.empty())
    s += " Follow-up: " + follow_up + ".";
  return s;
}

rules_engine::rules_engine(time_parser parse_time) : parse_time_(std::move(parse_time)) {}

reply rules_engine::say(std::string text, expecting next) {
  last_said_ = text;
  reply r;
  r.say = std::move(text);
  r.next = next;
  return r;
}

std::string rules_engine::anything_else() const { return " Is there anything else I can help with?"; }

reply rules_engine::start(const business_context& ctx) {
  ctx_ = ctx;
  auto greeting = ctx_.greeting.empty()
                      ? "Thank you for calling " + ctx_.name + ". How can I help you today?"
                      : ctx_.greeting;
  return say(greeting);
}

void rules_engine::note_when(std::string_view text) {
  if (!parse_time_)
    return;
  auto w = parse_time_(text);
  if (!w)
    return;
  // A later mention refines an earlier one ("thursday" ... "at two").
  if (!when_ || !w->date.empty())
    when_ = *w;
  else {
    if (!w->time.empty())
      when_->time = w->time;
    if (!w->part_of_day.empty())
      when_->part_of_day = w->part_of_day;
  }
}

reply rules_engine::ask_when() {
  state_ = state::asking_when;
  return say("What day and time would work best for you?");
}

reply rules_engine::check(const when& w) {
  state_ = state::waiting;
  reply r = say("Let me check that for you.");
  tool_call t{"check_slot", {{"date", w.date}, {"time", w.time}, {"part_of_day", w.part_of_day}}};
  if (!appointment_id_.empty())
    t.args["ignore_appointment"] = appointment_id_; // moving: its own slot does not count
  r.tools.push_back(std::move(t));
  return r;
}

reply rules_engine::after_slot_held() {
  if (flow_ == flow::reschedule) {
    state_ = state::confirming_move;
    return say("I can move your appointment from " + appointment_text_ + " to " + slot_text_ +
                   ". Shall I make that change?",
               expecting::yes_no);
  }
  if (name_.empty()) {
    state_ = state::asking_name;
    return say(slot_text_ + " is available. May I have your name, please?", expecting::name);
  }
  if (number_.empty()) {
    state_ = state::asking_number;
    return say("What is the best phone number to reach you?", expecting::digits);
  }
  return confirm_booking();
}

reply rules_engine::confirm_booking() {
  state_ = state::confirming_booking;
  std::string what = service_.empty() ? "an appointment" : "a " + service_ + " appointment";
  return say("To confirm, I have " + what + " for " + name_ + " on " + slot_text_ +
                 ". Shall I book it?",
             expecting::yes_no);
}

reply rules_engine::misunderstood() {
  ++misses_;
  if (misses_ >= 3 && ctx_.can_transfer) {
    state_ = state::waiting;
    outcome_ = "transferred";
    follow_up_ = "the assistant could not understand the caller";
    reply r = say("I'm having trouble understanding. Let me connect you with someone who can help.");
    r.tools.push_back({"transfer", {{"reason", "not_understood"}}});
    return r;
  }
  return say("Sorry, I didn't catch that. Could you say it again?");
}

reply rules_engine::handle_intent(intent i, std::string_view text) {
  switch (i) {
  case intent::emergency: {
    reason_ = "an emergency";
    outcome_ = "transferred";
    follow_up_ = "emergency call transferred";
    state_ = state::waiting;
    reply r = ctx_.can_transfer
                  ? say("I'm connecting you with someone right away.")
                  : say("If this is a medical emergency, please hang up and dial 911.");
    if (ctx_.can_transfer)
      r.tools.push_back({"transfer", {{"reason", "emergency"}}});
    else
      r.end_call = true;
    return r;
  }
  case intent::human: {
    if (reason_.empty())
      reason_ = "to speak with a person";
    if (!ctx_.can_transfer) {
      follow_up_ = "caller asked for a person; call them back";
      return say("There's no one available to take the call right now, but I'll make sure "
                 "someone calls you back." + anything_else());
    }
    outcome_ = "transferred";
    state_ = state::waiting;
    reply r = say("Of course. Let me connect you.");
    r.tools.push_back({"transfer", {{"reason", "caller_request"}}});
    return r;
  }
  case intent::repeat:
    return say(last_said_.empty() ? "How can I help you today?" : last_said_);
  case intent::goodbye: {
    state_ = state::ended;
    reply r = say("Thank you for calling " + ctx_.name + ". Goodbye!");
    r.end_call = true;
    return r;
  }
  case intent::book:
    flow_ = flow::book;
    if (reason_.empty())
      reason_ = "to book an appointment";
    if (auto s = extract_service(text, ctx_.services))
      service_ = *s;
    note_when(text);
    if (auto n = extract_name(text, false))
      name_ = *n;
    if (when_ && (!when_->date.empty() || !when_->time.empty()))
      return check(*when_);
    return ask_when();
  case intent::cancel:
  case intent::reschedule: {
    flow_ = i == intent::cancel ? flow::cancel : flow::reschedule;
    if (reason_.empty())
      reason_ = i == intent::cancel ? "to cancel an appointment" : "to move an appointment";
    note_when(text); // "move it to friday" names the new time
    state_ = state::waiting;
    reply r = say("Let me find your appointment.");
    tool_call t{"find_appointment", {{"phone", ctx_.caller_number}}};
    if (auto n = extract_name(text, false))
      t.args["name"] = *n;
    r.tools.push_back(std::move(t));
    return r;
  }
  case intent::hours:
    if (reason_.empty())
      reason_ = "opening hours";
    if (outcome_ == "no_action")
      outcome_ = "answered";
    return say("We're open " + (ctx_.hours_text.empty() ? std::string("during business hours")
                                                        : ctx_.hours_text) +
               "." + anything_else());
  case intent::location:
    if (reason_.empty())
      reason_ = "the address";
    if (outcome_ == "no_action")
      outcome_ = "answered";
    if (ctx_.address.empty())
      return say("I don't have our address on file, sorry." + anything_else());
    return say("We're at " + ctx_.address + "." + anything_else());
  case intent::price:
  case intent::question: {
    if (reason_.empty())
      reason_ = "a question: " + std::string(text);
    state_ = state::waiting;
    reply r = say("");
    r.tools.push_back({"lookup_knowledge", {{"question", std::string(text)}}});
    return r;
  }
  case intent::yes:
  case intent::no:
  case intent::unknown:
    break;
  }
  return misunderstood();
}

reply rules_engine::on_caller(std::string_view text) {
  if (state_ == state::ended)
    return reply{};
  auto i = classify(text);
  // "My name is ..." answers the question, whatever words the name is heard as.
  if (state_ == state::asking_name && i == intent::repeat && extract_name(text, true))
    i = intent::unknown;
  // Emergencies and requests for a person interrupt any flow.
  if (i == intent::emergency || i == intent::human || i == intent::repeat)
    return handle_intent(i, text);
  switch (state_) {
  case state::asking_when:
  case state::choosing_option: {
    std::optional<when> said; // while choosing: the day or time in the answer, if any
    if (state_ == state::choosing_option) {
      auto hold = [this](std::size_t k) {
        slot_start_ = option_values_[k];
        slot_text_ = options_[k];
        state_ = state::waiting;
        reply r = say("Let me hold that for you.");
        r.tools.push_back({"hold_slot", {{"start", slot_start_}}});
        return r;
      };
      if (auto c = extract_choice(text, options_.size()))
        return hold(*c);
      // "the one at three": match an offered time.
      said = parse_time_ ? parse_time_(text) : std::nullopt;
      if (said && !said->time.empty())
        for (std::size_t k = 0; k < option_values_.size(); ++k)
          if (option_values_[k].find("T" + said->time) != std::string::npos &&
              (said->date.empty() || option_values_[k].rfind(said->date, 0) == 0))
            return hold(k);
    }
    if (i == intent::goodbye || (i == intent::no && state_ == state::choosing_option)) {
      if (i == intent::goodbye)
        return handle_intent(i, text);
      return say("No problem. What other day or time would you like?");
    }
    // Neither one of the offers nor another day or time ("yes please", a misheard word): ask
    // which, instead of checking the first request all over again.
    if (state_ == state::choosing_option &&
        (!said || (said->date.empty() && said->time.empty() && said->part_of_day.empty())))
      return say("Which would you like: " + spoken_list(options_) +
                 "? Or tell me another day and time.");
    note_when(text);
    if (when_ && (!when_->date.empty() || !when_->time.empty()))
      return check(*when_);
    return say("Sorry, what day and time would you like? For example, tomorrow at 2 PM.");
  }
  case state::asking_name: {
    if (i == intent::goodbye) // "no, that's all, goodbye" is no name: the caller is leaving
      return handle_intent(i, text);
    auto n = extract_name(text, true);
    if (!n)
      return say("Sorry, could you tell me your name?", expecting::name);
    name_ = *n;
    if (number_.empty() && !ctx_.caller_number.empty())
      number_ = ctx_.caller_number;
    return after_slot_held();
  }
  case state::asking_number: {
    auto d = extract_digits(text);
    if (d.size() < 7)
      return say("Sorry, could you read me the number again, digit by digit?", expecting::digits);
    number_ = d.size() == 10 ? "+1" + d : "+" + d;
    return confirm_booking();
  }
  case state::confirming_booking: {
    auto yn = yes_or_no(text);
    if (!yn) {
      note_when(text); // "no, make it three" may come as a new time alone
      return say("Shall I book " + slot_text_ + " for " + name_ + "? Please say yes or no.",
                 expecting::yes_no);
    }
    if (!*yn) {
      when_.reset();
      state_ = state::asking_when;
      reply r = say("Okay, I won't book that. What day and time would you prefer instead?");
      r.tools.push_back({"release_slot", {{"start", slot_start_}}});
      return r;
    }
    state_ = state::waiting;
    reply r = say("Booking that now.");
    r.tools.push_back({"book",
                       {{"start", slot_start_},
                        {"name", name_},
                        {"phone", number_},
                        {"service", service_}}});
    return r;
  }
  case state::confirming_cancel: {
    auto yn = yes_or_no(text);
    if (!yn)
      return say("Shall I cancel your appointment on " + appointment_text_ + "? Yes or no?",
                 expecting::yes_no);
    if (!*yn) {
      state_ = state::listening;
      flow_ = flow::none;
      return say("Okay, I'll leave it as it is." + anything_else());
    }
    state_ = state::waiting;
    reply r = say("Cancelling it now.");
    r.tools.push_back({"cancel", {{"appointment_id", appointment_id_}}});
    return r;
  }
  case state::confirming_move_from: {
    auto yn = yes_or_no(text);
    if (yn && !*yn) {
      state_ = state::listening;
      flow_ = flow::none;
      appointment_id_.clear();
      return say("Okay." + anything_else());
    }
    note_when(text);
    if (when_ && (!when_->date.empty() || !when_->time.empty()))
      return check(*when_);
    return ask_when();
  }
  case state::confirming_move: {
    auto yn = yes_or_no(text);
    if (!yn)
      return say("Shall I move it to " + slot_text_ + "? Yes or no?", expecting::yes_no);
    if (!*yn) {
      when_.reset();
      state_ = state::asking_when;
      reply r = say("Okay. What day and time would you prefer instead?");
      r.tools.push_back({"release_slot", {{"start", slot_start_}}});
      return r;
    }
    state_ = state::waiting;
    reply r = say("Moving it now.");
    r.tools.push_back(
        {"reschedule", {{"appointment_id", appointment_id_}, {"start", slot_start_}}});
    return r;
  }
  case state::waiting:
    return say("One moment, please.");
  case state::listening:
  case state::ended:
    break;
  }
  if (i == intent::no || i == intent::yes) {
    // "no" to "anything else?" ends the call politely; a bare "yes" asks what.
    if (i == intent::no && !reason_.empty())
      return handle_intent(intent::goodbye, text);
    return say("What can I help you with?");
  }
  return handle_intent(i, text);
}

reply rules_engine::on_result(const tool_result& res) {
  auto get = [&](const char* k) {
    auto it = res.values.find(k);
    return it == res.values.end() ? std::string() : it->second;
  };
  auto offer = [&](const std::string& lead) {
    options_ = res.options;
    option_values_ = res.option_values;
    if (options_.empty()) {
      state_ = state::asking_when;
      return say(lead + " I don't see any openings around then. Would another day work?");
    }
    state_ = state::choosing_option;
    return say(lead + " I have " + spoken_list(options_) + ". Which would you like?");
  };
  if (res.name == "check_slot" || res.name == "hold_slot") {
    if (res.ok) {
      slot_start_ = get("start");
      slot_text_ = get("when_text");
      return after_slot_held();
    }
    auto why = get("reason");
    std::string lead = why == "closed"        ? "We're closed then."
                       : why == "too_soon"    ? "That's a little too soon for us to book."
                       : why == "too_far"     ? "We can't book that far ahead yet."
                       : why == "outside_hours" ? "That's outside our hours."
                       : why == "need_time"   ? "Here are some times that day."
                                              : "That time is already taken.";
    return offer(lead);
  }
  if (res.name == "book") {
    if (!res.ok)
      return offer("I'm sorry, that slot was just taken.");
    state_ = state::listening;
    flow_ = flow::none;
    outcome_ = "booked";
    // A text is promised only when one was queued (a textable number, not opted out).
    return say("You're all set for " + slot_text_ + "." +
               (res.values.count("text_confirmation") ? " We'll send a text confirmation." : "") +
               anything_else());
  }
  if (res.name == "find_appointment") {
    if (!res.ok || res.options.empty()) {
      state_ = state::listening;
      flow_ = flow::none;
      follow_up_ = "caller could not find their appointment";
      return say("I couldn't find an appointment for this number. If you'd like, I can book a "
                 "new one." + anything_else());
    }
    appointment_id_ = res.option_values.front();
    appointment_text_ = res.options.front();
    if (flow_ == flow::cancel) {
      state_ = state::confirming_cancel;
      return say("I see your appointment on " + appointment_text_ + ". Shall I cancel it?",
                 expecting::yes_no);
    }
    if (when_ && (!when_->date.empty() || !when_->time.empty()))
      return check(*when_);
    state_ = state::confirming_move_from;
    return say("I see your appointment on " + appointment_text_ +
               ". What day and time would you like instead?");
  }
  if (res.name == "cancel") {
    state_ = state::listening;
    flow_ = flow::none;
    if (!res.ok) {
      follow_up_ = "cancellation failed; call the customer";
      return say("I'm sorry, I couldn't cancel it just now. Someone will call you back." +
                 anything_else());
    }
    outcome_ = "cancelled";
    return say("Your appointment on " + appointment_text_ + " is cancelled." + anything_else());
  }
  if (res.name == "reschedule") {
    if (!res.ok)
      return offer("I'm sorry, that time was just taken.");
    state_ = state::listening;
    flow_ = flow::none;
    outcome_ = "rescheduled";
    return say("Done. Your appointment is now " + slot_text_ + "." + anything_else());
  }
  if (res.name == "lookup_knowledge") {
    state_ = state::listening;
    if (res.ok && !get("answer").empty()) {
      if (outcome_ == "no_action")
        outcome_ = "answered";
      return say(get("answer") + anything_else());
    }
    follow_up_ = "unanswered question: " + reason_;
    return say(std::string("I'm not sure about that, but I'll have someone from our team get back "
                           "to you.") +
               anything_else());
  }
  if (res.name == "transfer") {
    state_ = state::ended;
    reply r;
    r.end_call = true;
    if (!res.ok) {
      outcome_ = "transfer_failed";
      follow_up_ = "transfer failed; call the customer back";
      r = say("I'm sorry, I couldn't connect you. Someone will call you back shortly. Goodbye.");
      r.end_call = true;
    }
    return r;
  }
  return reply{};
}

void rules_engine::on_interrupted(std::string_view heard) {
  // The record keeps only what reached the caller; "repeat" says what they heard.
  last_said_ = std::string(heard);
}

summary rules_engine::summarize() const { return summary{reason_, outcome_, follow_up_}; }

} // namespace frontdesk::dialog
