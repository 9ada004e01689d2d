#include "actors/dialog/rules_engine.hpp"

#include <algorithm>
#include <array>

#include "actors/dialog/caller_details.hpp"
#include "actors/dialog/spelling.hpp"
#include "protocols/core/names.hpp"
#include "protocols/core/words.hpp"

namespace frontdesk::dialog {
namespace {

// "a, b, or c", as the offers are read out.
std::string spoken_list(const std::vector<std::string>& items) {
  std::string list;
  for (std::size_t k = 0; k < items.size(); ++k)
    list += (k == 0 ? "" : (k + 1 == items.size() ? ", or " : ", ")) + items[k];
  return list;
}

// A name given outright: "my name is ann", "the name's bo", "put it under kim".
bool has_name_lead_in(std::string_view text) {
  auto ws = normalize(text);
  static const std::vector<std::vector<std::string>> leads = {
      {"my", "name"}, {"name", "is"}, {"last", "name"}, {"first", "name"}, {"put", "it", "under"},
      {"this", "is"}, {"call", "me"}};
  for (auto& l : leads)
    for (std::size_t i = 0; i + l.size() <= ws.size(); ++i)
      if (std::equal(l.begin(), l.end(), ws.begin() + static_cast<long>(i)))
        return true;
  return false;
}

// Digits read out as a contact number: ten are a North American number, more carry their
// country code.
std::string read_out_number(const std::string& digits) {
  return digits.size() == 10 ? "+1" + digits : "+" + digits;
}

} // namespace

std::string summary::text() const {
  std::string s = !narrative.empty()
                      ? narrative + " Outcome: " + outcome + "."
                      : "Caller wanted: " + (reason.empty() ? std::string("not stated") : reason) +
                            ". Outcome: " + outcome + ".";
  if (!follow_up.empty() && s.find(follow_up) == std::string::npos)
    s += " Follow-up: " + follow_up + ".";
  return s;
}

rules_engine::rules_engine(time_parser parse_time) : parse_time_(std::move(parse_time)) {}

reply rules_engine::say(std::string text, expecting next) {
  if (next == expecting::anything)
    next = expecting_for(state_); // "What day and time?" waits for a time, an offer for a choice
  asked_again_ = 0;
  last_said_ = text;
  reply r;
  r.say = std::move(text);
  r.next = next;
  return r;
}

std::string rules_engine::anything_else() const { return " Is there anything else I can help with?"; }

reply rules_engine::start(const business_context& ctx) {
  ctx_ = ctx;
  // The number the caller rings from is the contact number, unless the network withheld it.
  if (auto n = usable_caller_id(ctx_.caller_number)) {
    number_ = *n;
  }
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
  // A later mention refines an earlier one ("thursday" ... "at two"); a new day alone keeps the
  // time already said ("friday at nine" ... "no, next friday").
  if (when_ && !w->date.empty() && w->time.empty() && !when_->time.empty()) {
    when_->date = w->date;
    if (!w->part_of_day.empty())
      when_->part_of_day = w->part_of_day;
  } else if (!when_ || !w->date.empty())
    when_ = *w;
  else {
    if (!w->time.empty())
      when_->time = w->time;
    if (!w->part_of_day.empty())
      when_->part_of_day = w->part_of_day;
  }
}

// No day or time said: offer the earliest openings (in the part of day said, if any) rather
// than asking for a day first.
reply rules_engine::offer_earliest() {
  state_ = state::waiting;
  reply r = say("Let me see what we have.");
  r.tools.push_back({"check_slot",
                     {{"date", ""},
                      {"time", ""},
                      {"part_of_day", when_ ? when_->part_of_day : std::string()}}});
  return r;
}

// The question the flow was waiting on, asked again after an aside.
std::string rules_engine::pending_question() const { return question_for(resume_); }

// The question a step of the flow waits on (after an aside, or after the call was cut off).
std::string rules_engine::question_for(state s) const {
  switch (s) {
  case state::asking_when:
  case state::confirming_move_from: return "What day and time would work best for you?";
  case state::choosing_option: return "Which would you like: " + spoken_list(options_) + "?";
  case state::asking_name: return "Now, may I have your name, please?";
  case state::asking_spelling:
    return lower_words(name_).size() > 1
               ? "Thank you. Could you spell your last name for me, letter by letter?"
               : "Thank you. Could you spell your name for me, letter by letter?";
  case state::asking_number: return "What is the best phone number to reach you?";
  case state::confirming_booking:
    return "Shall I book " + slot_text_ + " for " + name_ + "?";
  case state::confirming_cancel:
    return "Shall I cancel your appointment on " + appointment_text_ + "?";
  case state::confirming_move: return "Shall I move it to " + slot_text_ + "?";
  case state::listening:
  case state::waiting:
  case state::ended: break;
  }
  return "";
}

expecting rules_engine::pending_expecting() const { return expecting_for(resume_); }

expecting rules_engine::expecting_for(state s) {
  switch (s) {
  case state::asking_when: return expecting::when;
  case state::choosing_option: return expecting::choice;
  case state::asking_name: return expecting::name;
  case state::asking_spelling: return expecting::spelling;
  case state::asking_number: return expecting::digits;
  case state::confirming_booking:
  case state::confirming_cancel:
  case state::confirming_move: return expecting::yes_no;
  default: return expecting::anything;
  }
}

// A question in the middle of booking, moving or cancelling ("wait, do you take aetna?", "where
// do I park?"): answered, then the question the flow waits on is asked again. Not when the turn
// carries what was asked for (a name given outright, a day or time).
std::optional<reply> rules_engine::mid_flow_question(intent i, std::string_view text) {
  if (flow_ == flow::none || state_ == state::listening || state_ == state::waiting ||
      state_ == state::ended)
    return std::nullopt;
  bool question = i == intent::price || i == intent::location || i == intent::hours ||
                  (i == intent::question && asks_question(text));
  if (!question)
    return std::nullopt;
  auto w = parse_time_ ? parse_time_(text) : std::nullopt;
  bool has_when = w && (!w->date.empty() || !w->time.empty());
  if (has_when && i != intent::hours)
    return std::nullopt; // "can you do friday at ten?" answers the flow's question
  resume_ = state_;
  if (i == intent::hours || i == intent::location) {
    std::string answer;
    if (i == intent::hours) {
      answer = "We're open " + (ctx_.hours_text.empty() ? std::string("during business hours")
                                                        : ctx_.hours_text) + ".";
      record_.answered.push_back("opening hours");
    } else {
      answer = ctx_.address.empty() ? "I don't have our address on file, sorry."
                                    : "We're at " + ctx_.address + ".";
      record_.answered.push_back("the address");
    }
    auto again = pending_question();
    auto next = pending_expecting();
    resume_ = state::listening;
    return say(answer + " " + again, next);
  }
  question_ = std::string(text);
  state_ = state::waiting;
  reply r = say("");
  r.tools.push_back({"lookup_knowledge", {{"question", question_words(text)}}});
  return r;
}

// The same question again, after an answer that did not fit it. A caller who cannot answer it is
// never asked forever: after three tries they are offered a person (or, with no one to hand
// over to, the question is dropped where that is possible).
reply rules_engine::ask_again(std::string question, expecting next) {
  int n = asked_again_ + 1;
  if (n >= 3 && ctx_.can_transfer) {
    misses_ = 3; // hand over now
    return misunderstood();
  }
  reply r = say(std::move(question), next);
  asked_again_ = n;
  return r;
}

// The caller leaves mid-conversation ("never mind, goodbye"): no question is repeated. A slot
// held for them is released when the call ends.
reply rules_engine::leave() {
  if (flow_ == flow::book && outcome_ != "booked")
    follow_up_ = "caller left before the booking was finished";
  else if (flow_ != flow::none)
    follow_up_ = "caller left before the change was finished";
  state_ = state::ended;
  reply r = say("Thank you for calling " + ctx_.name + ". Goodbye!");
  r.end_call = true;
  return r;
}

// What the caller asked to come in for: a listed service, or else their own words for it.
void rules_engine::note_request(std::string_view text) {
  if (auto s = extract_service(text, ctx_.services)) {
    service_ = *s;
    request_.clear();
  } else if (service_.empty()) {
    if (auto r = extract_request(text); !r.empty())
      request_ = r;
  }
}

// A correction while the dialog waits for something else: a new day or time ("no, I said
// Tuesday", "actually make it three") checks the new slot, a name given outright replaces the
// name, a number read out replaces the number.
std::optional<reply> rules_engine::correction(std::string_view text) {
  if (parse_time_) {
    auto w = parse_time_(text);
    if (w && (!w->date.empty() || !w->time.empty())) {
      note_when(text);
      return check(*when_);
    }
  }
  // "The last one, please" once another of the times offered was taken: the choice changes.
  if (option_values_.size() > 1 && option_values_.size() == options_.size() &&
      std::find(option_values_.begin(), option_values_.end(), slot_start_) != option_values_.end())
    if (auto k = extract_choice(text, option_values_.size()); k && option_values_[*k] != slot_start_)
      return hold_offer(*k);
  if (flow_ != flow::book)
    return std::nullopt;
  // "It's a cleaning, not a filling": the service named replaces the one before.
  if (auto sv = extract_service(text, ctx_.services); sv && *sv != service_ && !slot_start_.empty()) {
    service_ = *sv;
    request_.clear();
    return after_slot_held();
  }
  bool asked_name = state_ == state::asking_name;
  if (auto n = extract_name(text, false, ctx_.services); n && !asked_name) {
    take_name(*n);
    return after_slot_held();
  }
  if (auto d = extract_digits(text); d.size() >= 7 && state_ != state::asking_number) {
    number_ = read_out_number(d);
    return after_slot_held();
  }
  return std::nullopt;
}

bool rules_engine::says_a_time(std::string_view text) const {
  auto w = parse_time_ ? parse_time_(text) : std::nullopt;
  if (!w)
    return false;
  if (!w->date.empty() || !w->part_of_day.empty())
    return true;
  if (w->time.empty())
    return false;
  static const std::array<std::string_view, 14> cues = {
      "at", "o'clock", "am", "pm", "a m", "p m", "noon", "half", "quarter", "past", "thirty",
      "fifteen", "forty", "oclock"};
  auto ws = lower_words(text);
  return std::ranges::any_of(cues, [&](auto c) { return has_phrase(ws, c); }) ||
         std::ranges::any_of(ws, [](auto& x) { return x.find(':') != std::string::npos; });
}

reply rules_engine::hold_offer(std::size_t k) {
  slot_start_ = option_values_[k];
  slot_text_ = options_[k];
  state_ = state::waiting;
  reply r = say("Let me hold that for you.");
  tool_call t{"hold_slot", {{"start", slot_start_}}};
  if (!appointment_id_.empty())
    t.args["ignore_appointment"] = appointment_id_;
  else if (!service_.empty())
    t.args["service"] = service_;
  r.tools.push_back(std::move(t));
  return r;
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
  else if (!service_.empty())
    t.args["service"] = service_; // a service with its own length needs that much room
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
  if (ask_spelling_ && name_unsure_ && !spelling_asked_) {
    state_ = state::asking_spelling;
    spelling_asked_ = true;
    return say(question_for(state_), expecting::spelling);
  }
  if (number_.empty() && !number_waived_) {
    state_ = state::asking_number;
    return say("What is the best phone number to reach you?", expecting::digits);
  }
  return confirm_booking();
}

reply rules_engine::confirm_booking() {
  state_ = state::confirming_booking;
  std::string what = !service_.empty() ? "a " + service_ + " appointment" : "an appointment";
  std::string text = "To confirm, I have " + what + " for " + name_ + " on " + slot_text_;
  if (!request_.empty())
    text += ", for " + request_;
  return say(text + ". Shall I book it?", expecting::yes_no);
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
  case intent::openings:
  case intent::correction: // a day or time said again with nothing to correct yet: a booking
    flow_ = flow::book;
    if (reason_.empty())
      reason_ = "to book an appointment";
    note_request(text);
    note_when(text);
    if (auto n = extract_name(text, false, ctx_.services))
      take_name(*n);
    if (when_ && (!when_->date.empty() || !when_->time.empty()))
      return check(*when_);
    return offer_earliest();
  case intent::cancel:
  case intent::reschedule: {
    flow_ = i == intent::cancel ? flow::cancel : flow::reschedule;
    if (reason_.empty())
      reason_ = i == intent::cancel ? "to cancel an appointment" : "to move an appointment";
    // "move it to friday" names the new time; "my appointment tomorrow" is the old one's.
    if (i == intent::reschedule && names_new_time(text))
      note_when(text);
    state_ = state::waiting;
    reply r = say("Let me find your appointment.");
    tool_call t{"find_appointment", {{"phone", ctx_.caller_number}}};
    if (auto n = extract_name(text, false, ctx_.services))
      t.args["name"] = *n;
    r.tools.push_back(std::move(t));
    return r;
  }
  case intent::hours:
    if (reason_.empty())
      reason_ = "opening hours";
    if (outcome_ == "no_action")
      outcome_ = "answered";
    record_.answered.push_back("opening hours");
    return say("We're open " + (ctx_.hours_text.empty() ? std::string("during business hours")
                                                        : ctx_.hours_text) +
               "." + anything_else());
  case intent::location:
    if (reason_.empty())
      reason_ = "the address";
    if (outcome_ == "no_action")
      outcome_ = "answered";
    record_.answered.push_back("the address");
    if (ctx_.address.empty())
      return say("I don't have our address on file, sorry." + anything_else());
    return say("We're at " + ctx_.address + "." + anything_else());
  case intent::price:
  case intent::question: {
    if (own_appointment_unclear(text))
      return ask_move_or_cancel();
    if (reason_.empty())
      reason_ = "a question: " + std::string(text);
    question_ = std::string(text);
    state_ = state::waiting;
    reply r = say("");
    r.tools.push_back({"lookup_knowledge", {{"question", question_words(text)}}});
    return r;
  }
  case intent::yes:
  case intent::no:
  case intent::unknown:
    if (i == intent::unknown && own_appointment_unclear(text))
      return ask_move_or_cancel();
    break;
  }
  return misunderstood();
}

// "I need to [cancel, misheard] my appointment": the caller's appointment and nothing else
// understood; either answer ("cancel it", "move it") is then classified as usual.
reply rules_engine::ask_move_or_cancel() {
  state_ = state::listening;
  return say("Would you like to move your appointment to another time, or cancel it?");
}

reply rules_engine::on_caller_heard(std::string_view text,
                                    const std::vector<std::string>& unsure) {
  unsure_.clear();
  for (auto& w : unsure)
    for (auto& l : lower_words(w))
      unsure_.push_back(l);
  auto r = on_caller(text);
  unsure_.clear();
  return r;
}

// A name from this turn: unsure when the recogniser was unsure of any of its words.
void rules_engine::take_name(std::string name) {
  name_unsure_ = false;
  for (auto& w : lower_words(name))
    if (std::find(unsure_.begin(), unsure_.end(), w) != unsure_.end())
      name_unsure_ = true;
  name_ = std::move(name);
}

// The answer to "could you spell your last name": the spelled letters replace the last word of
// the name as heard. A name said again instead replaces it; anything else keeps the name as
// heard (the read-back before booking lets the caller correct it).
reply rules_engine::on_spelling(intent i, std::string_view text) {
  if (i == intent::goodbye)
    return handle_intent(i, text);
  name_unsure_ = false;
  if (auto spelled = spelled_word(text)) {
    auto parts = lower_words(name_);
    std::string first;
    if (parts.size() > 1) // keep the given names as heard, title-cased as extract_name does
      first = name_.substr(0, name_.rfind(' ') + 1);
    name_ = first + *spelled;
    return after_slot_held();
  }
  if (auto c = correction(text))
    return *c;
  if (auto n = extract_name(text, true, ctx_.services); n && lower_words(*n).size() == 1 &&
                                                         lower_words(name_).size() > 1)
    name_ = name_.substr(0, name_.rfind(' ') + 1) + *n; // the last name said, not spelled
  return after_slot_held();
}

reply rules_engine::on_caller(std::string_view text) {
  if (state_ == state::ended)
    return reply{};
  auto i = classify(text);
  // "My name is ..." answers the question, whatever words the name is heard as.
  if (state_ == state::asking_name && i == intent::repeat && extract_name(text, true, ctx_.services))
    i = intent::unknown;
  // Emergencies and requests for a person interrupt any flow.
  if (i == intent::emergency || i == intent::human || i == intent::repeat)
    return handle_intent(i, text);
  // So does leaving, in any state: "never mind, goodbye" is never asked the question again. A new
  // day or time in the same breath ("never mind Tuesday, how about Friday") is a correction.
  if (is_leaving(text)) {
    auto w = parse_time_ ? parse_time_(text) : std::nullopt;
    if (!w || (w->date.empty() && w->time.empty()))
      return leave();
  }
  // A question in the middle of a flow is answered first, then the flow resumes. (A name said
  // outright is an answer, whatever else it sounds like.)
  if (!(state_ == state::asking_name && has_name_lead_in(text)))
    if (auto r = mid_flow_question(i, text))
      return *r;
  switch (state_) {
  case state::asking_when:
  case state::choosing_option: {
    std::optional<when> said; // while choosing: the day or time in the answer, if any
    if (state_ == state::choosing_option) {
      // "the second one", "the three o'clock", "the later one", "yes" to a single offer
      said = parse_time_ ? parse_time_(text) : std::nullopt;
      if (auto c = choose_offer(text, option_values_, said ? said->date : "",
                                said ? said->time : "", said ? said->part_of_day : "")) {
        // "ten, patel": a name said with the choice, ahead of the question for it.
        if (flow_ == flow::book && name_.empty())
          if (auto g = guess_name(text, ctx_.services)) {
            take_name(*g);
            name_unsure_ = true;
          }
        return hold_offer(*c);
      }
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
      return ask_again("Which would you like: " + spoken_list(options_) +
                           "? Or tell me another day and time.",
                       expecting::anything);
    note_request(text);
    note_when(text);
    if (when_ && (!when_->date.empty() || !when_->time.empty()))
      return check(*when_);
    return ask_again("Sorry, what day and time would you like? For example, tomorrow at 2 PM.",
                     expecting::anything);
  }
  case state::asking_name: {
    if (i == intent::goodbye) // "no, that's all, goodbye" is no name: the caller is leaving
      return handle_intent(i, text);
    // "It's Lori, it's a cleaning not a filling": another service named with the name puts the
    // service right too.
    if (auto sv = extract_service(text, ctx_.services);
        sv && *sv != service_ && !slot_start_.empty() && flow_ == flow::book) {
      service_ = *sv;
      request_.clear();
    }
    if (auto n = extract_name(text, true, ctx_.services)) {
      take_name(*n);
      return after_slot_held();
    }
    // A name heard with stray words around it ("jim all williams", "linda twelve"): taken as
    // unsure and read back before booking, rather than asked for again. A caller who follows
    // the question with "yes" to what comes next would otherwise never be understood. A bare
    // number beside it is no new time; a day, or a time said as one, is a correction.
    auto guess = guess_name(text, ctx_.services);
    if (guess && !says_a_time(text)) {
      take_name(*guess);
      name_unsure_ = true;
      return after_slot_held();
    }
    if (auto c = correction(text))
      return *c;
    return ask_again("Sorry, could you tell me your name?", expecting::name);
  }
  case state::asking_spelling:
    return on_spelling(i, text);
  case state::asking_number: {
    auto d = extract_digits(text);
    if (d.size() >= 7) {
      number_ = read_out_number(d);
      return confirm_booking();
    }
    if (auto c = correction(text))
      return *c;
    if (means_this_number(text) || i == intent::yes) {
      // We only ask when the caller ID is withheld, so "this number" cannot be used.
      return ask_again("I can't see the number you're calling from. Could you read it to me, "
                       "digit by digit?",
                       expecting::digits);
    }
    if (i == intent::no || asked_again_ >= 1) {
      // No number to give, or none we can hear: book without one rather than ask forever.
      number_waived_ = true;
      reply r = confirm_booking();
      r.say = "No problem, we'll book it without a number. " + r.say;
      last_said_ = r.say;
      return r;
    }
    return ask_again("Sorry, could you read me the number again, digit by digit?",
                     expecting::digits);
  }
  case state::confirming_booking: {
    auto yn = yes_or_no(text);
    // "No, I said Tuesday", "actually my name is Ann": a correction, then confirm again.
    if (yn != true)
      if (auto c = correction(text))
        return *c;
    if (!yn)
      return ask_again("Shall I book " + slot_text_ + " for " + name_ + "? Please say yes or no.",
                       expecting::yes_no);
    if (!*yn) {
      when_.reset();
      state_ = state::asking_when;
      reply r = say("Okay, I won't book that. What day and time would you prefer instead?");
      r.tools.push_back({"release_slot", {{"start", slot_start_}}});
      return r;
    }
    state_ = state::waiting;
    reply r = say("Booking that now.");
    std::map<std::string, std::string> args = {
        {"start", slot_start_}, {"name", name_}, {"phone", number_}, {"service", service_}};
    if (!request_.empty())
      args["notes"] = "Caller asked for " + request_ + ".";
    r.tools.push_back({"book", std::move(args)});
    return r;
  }
  case state::confirming_cancel: {
    auto yn = yes_or_no(text);
    if (!yn)
      return ask_again("Shall I cancel your appointment on " + appointment_text_ + "? Yes or no?",
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
    if (yn != true)
      if (auto c = correction(text))
        return *c;
    if (!yn)
      return ask_again("Shall I move it to " + slot_text_ + "? Yes or no?", expecting::yes_no);
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
    // A caller who goes on while the slot is checked: a name or a number given outright is
    // kept, so the question for it is not asked again once the answer comes.
    if (flow_ == flow::book) {
      // Said outright, or as the answer to the question the caller knows comes next (a name
      // alone, with a common given name or surname in it, while no name is known yet).
      auto n = extract_name(text, false, ctx_.services);
      if (!n && name_.empty())
        if (auto a = extract_name(text, true, ctx_.services);
            a && std::ranges::any_of(lower_words(*a), [](auto& w) { return is_common_name(w); }))
          n = a;
      if (n) {
        take_name(*n);
        return say("Thank you. One moment, please.");
      }
      if (auto d = extract_digits(text); d.size() >= 7) {
        number_ = read_out_number(d);
        return say("Thank you. One moment, please.");
      }
    }
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
  if (state_ == state::ended) // the caller left while the tool ran
    return reply{};
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
    if (why == "earliest") {
      options_ = res.options;
      option_values_ = res.option_values;
      if (options_.empty()) {
        state_ = state::asking_when;
        return say("I don't see any openings in the coming weeks. Is there a day you'd like me "
                   "to check?");
      }
      state_ = state::choosing_option;
      return say("The earliest I have " + std::string(options_.size() == 1 ? "is " : "are ") +
                 spoken_list(options_) +
                 ". Would one of those work, or is there another day you'd prefer?");
    }
    std::string lead = why == "closed"        ? "We're closed then."
                       : why == "none_left_today" ? "We have nothing left today."
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
    record_.changes.push_back(
        {"booked", service_.empty() ? "" : "a " + service_, slot_text_, "", name_});
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
    record_.changes.push_back({"cancelled", "", appointment_text_, "", ""});
    return say("Your appointment on " + appointment_text_ + " is cancelled." + anything_else());
  }
  if (res.name == "reschedule") {
    if (!res.ok)
      return offer("I'm sorry, that time was just taken.");
    state_ = state::listening;
    flow_ = flow::none;
    outcome_ = "rescheduled";
    record_.changes.push_back({"moved", "", slot_text_, appointment_text_, ""});
    return say("Done. Your appointment is now " + slot_text_ + "." + anything_else());
  }
  if (res.name == "lookup_knowledge") {
    // Asked in the middle of a flow: answer, then ask again what the flow waits on.
    bool resuming = resume_ != state::listening;
    auto again = resuming ? " " + pending_question() : anything_else();
    auto next = resuming ? pending_expecting() : expecting::anything;
    state_ = resuming ? resume_ : state::listening;
    resume_ = state::listening;
    if (res.ok && !get("answer").empty()) {
      if (outcome_ == "no_action")
        outcome_ = "answered";
      record_.answered.push_back(question_);
      return say(get("answer") + again, next);
    }
    follow_up_ = "unanswered question: " + question_;
    record_.unanswered.push_back(question_);
    record_.follow_up("call the caller back about: " + question_);
    return say(std::string("I'm not sure about that, but I'll have someone from our team get back "
                           "to you.") + again,
               next);
  }
  if (res.name == "transfer") {
    state_ = state::ended;
    record_.transferred = res.ok;
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

summary rules_engine::summarize() const {
  call_record r = record_;
  // Why they called, as a note says it.
  if (reason_.rfind("a question: ", 0) == 0)
    r.reason = "with a question (" + reason_.substr(12) + ")";
  else if (reason_ == "opening hours")
    r.reason = "about our opening hours";
  else if (reason_ == "the address")
    r.reason = "for our address";
  else if (reason_ == "an emergency")
    r.reason = "about an emergency";
  else if (reason_ == "to book an appointment" && !service_.empty())
    r.reason = "to book a " + service_;
  else
    r.reason = reason_;
  if (outcome_ == "transferred" || outcome_ == "transfer_failed") {
    r.transferred = outcome_ == "transferred";
    r.transfer_reason = reason_ == "an emergency" ? "an emergency"
                        : reason_ == "to speak with a person" ? "the caller asked for a person"
                                                               : "";
  }
  r.follow_up(follow_up_);
  return summary{reason_, outcome_, follow_up_, r.narrative()};
}

} // namespace frontdesk::dialog
