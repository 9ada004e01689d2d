#include "actors/dialog/dialog_actor.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "actors/calendar/calendar.hpp"
#include "actors/calendar/profile_cache.hpp"
#include "actors/call/shell.hpp"
#include "actors/dialog/engine.hpp"
#include "actors/dialog/saved_state.hpp"
#include "adapters/workers/pool.hpp"
#include "protocols/core/vendor_wait.hpp"

namespace frontdesk::call {
namespace {

using namespace std::chrono_literals;
using namespace proto;

using dialog_self = dialog_actor::stateful_pointer<struct dialog_state>;

struct dialog_state {
  dialog_state() = default;
  bool engine_ready = false;
  std::shared_ptr<booking::business_profile> profile;
  supervisor_actor supervisor;
  calendar_actor calendar; // the business's calendar actor runs the tools (empty: they fail)
  call_services* services = nullptr;
  call_info info;
  // Caller turns that came before the engine was ready (the words, and how many transcript
  // lines they are).
  std::vector<std::pair<std::string, std::int64_t>> waiting;
  // How many of the caller's transcript lines the engine has been handed (lines said while the
  // AI was on hold come as one turn). Saved with the engine's state, so that a node taking the
  // call over knows which lines the state has not seen.
  std::int64_t heard = 0;
  // A call taken over answered the caller's line its saved state never saw. The caller, cut
  // off before an answer came, may say it again: they hear the answer again instead of the
  // engine taking the line twice. Until the caller's next turn: the line, the count of lines
  // once it was handed in, and the answer (with what it expects next).
  std::string replayed;
  std::int64_t replayed_heard = 0;
  std::string replay_answer, replay_stream;
  std::int32_t replay_next = 0;
  std::uint64_t generation = 0;     // of the tool round in flight
  std::size_t tools_pending = 0;
  std::string filler;               // said if the tools take a while
  bool filler_said = false;
  // Tool results, handed over from the worker pool; each comes with a tool_atom message.
  struct results {
    std::mutex mtx;
    std::deque<std::pair<std::uint64_t, dialog::tool_result>> items;
  };
  std::shared_ptr<results> done = std::make_shared<results>();
  // A blocking engine (the LLM's) runs on a worker, one call at a time; its replies come back
  // through `engine_out` with an engine_atom each.
  std::shared_ptr<serial_queue> engine_queue;
  struct replies {
    std::mutex mtx;
    // Each with the state after it and the caller lines handed in before it.
    std::deque<std::tuple<dialog::reply, std::string, std::int64_t>> items;
  };
  std::shared_ptr<replies> engine_out = std::make_shared<replies>();
  std::shared_ptr<dialog::dialog_engine> shared_engine; // owned with the queue's jobs
  bool streaming = false; // sentences of a reply went to the supervisor, its end has not
  caf::typed_response_promise<std::vector<std::string>> summary_promise;
  std::string saved_state; // the engine state last handed to the call's events
  std::int64_t saved_heard = 0; // and the count of caller lines with it
  std::shared_ptr<dialog_memory> memory; // the supervisor's copy, for a restarted dialog
  // Time the engine waited on a remote model (dialog::reply::vendor_wait_us) not yet told to
  // the supervisor: it goes with the next reply_text, which may be a filler said while tools
  // run after the model's answer.
  std::int64_t vendor_wait_us = 0;
};

reply_text to_reply(const dialog::reply& r) {
  return reply_text{r.say, r.end_call, static_cast<std::int32_t>(r.next), r.partial};
}

void dialog_handle(dialog_self self, dialog::reply r, std::string state, std::int64_t heard);

// Every words-to-say message to the supervisor carries the model wait since the last one.
void tell_supervisor(dialog_self self, reply_text r) {
  auto& st = self->state;
  r.vendor_wait_us = std::exchange(st.vendor_wait_us, 0);
  self->send(st.supervisor, std::move(r));
}

// Calls the engine: inline when it never blocks, otherwise on the dialog pool in order (where
// the engine's state is read too, after each reply: it is not read from this thread). The
// state goes out with the count of caller lines handed in so far: the engine has seen them
// all by the time it runs this call.
void dialog_engine_call(dialog_self self, std::function<dialog::reply(dialog::dialog_engine&)> f) {
  auto& st = self->state;
  if (!st.engine_queue) {
    auto r = f(*st.shared_engine);
    dialog_handle(self, std::move(r), st.shared_engine->save_state(), st.heard);
    return;
  }
  auto me = caf::actor_cast<dialog_actor>(self);
  st.engine_queue->post([engine = st.shared_engine, out = st.engine_out, me, f = std::move(f),
                         call_sid = st.info.call_sid, heard = st.heard] {
    dialog::reply r;
    std::string state;
    vendor_wait::reset(); // this worker's earlier work was another call's
    try {
      r = f(*engine);
      r.vendor_wait_us = vendor_wait::take_us(); // since the reply's last streamed sentence
      state = engine->save_state();
    } catch (const std::exception& e) {
      spdlog::error("call {}: dialog engine failed: {}", call_sid, e.what());
      r.say = "I'm sorry, could you say that again?";
    }
    {
      std::lock_guard lk(out->mtx);
      out->items.emplace_back(std::move(r), std::move(state), heard);
    }
    caf::anon_send(me, engine_atom::value);
  });
}

// Has the business's calendar actor run the reply's tools; each result comes back as a message.
void dialog_run_tools(dialog_self self, const dialog::reply& r) {
  auto& st = self->state;
  ++st.generation;
  st.tools_pending = r.tools.size();
  st.filler = r.say;
  st.filler_said = false;
  bool transfer = std::any_of(r.tools.begin(), r.tools.end(),
                              [](const dialog::tool_call& t) { return t.name == "transfer"; });
  if (transfer && !st.filler.empty()) {
    // "Let me connect you" is no filler: the caller must hear it before the line changes.
    st.filler_said = true;
    tell_supervisor(self, reply_text{st.filler, false, 0});
  } else if (!st.filler.empty()) {
    self->delayed_send(self, 600ms, filler_atom::value, st.generation);
  }
  for (auto& t : r.tools) {
    if (t.name == "transfer")
      self->send(st.supervisor, transfer_atom::value, t.args.count("reason") ? t.args.at("reason") : "");
    auto deliver = [self, done = st.done, gen = st.generation](dialog::tool_result r) {
      {
        std::lock_guard lk(done->mtx);
        done->items.emplace_back(gen, std::move(r));
      }
      self->send(self, tool_atom::value);
    };
    if (!st.calendar) { // no calendar service or no business: the tool cannot run
      deliver({t.name, false, {}, {}, {}});
      continue;
    }
    // The business's calendar actor answers, in turn with the business's other calls.
    self->request(st.calendar, 30s, tool_request{st.info.call_id, t.name, t.args})
        .then(
            [deliver](tool_reply& r) {
              deliver({r.name, r.ok, r.values, r.options, r.option_values});
            },
            [deliver, name = t.name](caf::error&) { deliver({name, false, {}, {}, {}}); });
  }
}

// Hands the engine caller words that are `lines` lines of the transcript.
void dialog_take_turn(dialog_self self, std::int64_t lines,
                      std::function<dialog::reply(dialog::dialog_engine&)> f) {
  self->state.heard += lines;
  dialog_engine_call(self, std::move(f));
}

void dialog_save_state(dialog_self self, std::string s, std::int64_t heard);

// The caller's first turn after a take-over that answered their last line: when it is that line
// again, they hear the answer again (the line counts as heard) and the engine is not asked.
bool dialog_said_again(dialog_self self, const std::string& text) {
  auto& st = self->state;
  if (st.replayed.empty())
    return false;
  auto line = std::exchange(st.replayed, {});
  auto answer = std::exchange(st.replay_answer, {});
  st.replay_stream.clear();
  if (answer.empty() || !dialog::same_words(text, line))
    return false;
  st.heard += 1;
  dialog_save_state(self, st.saved_state, st.heard);
  tell_supervisor(self, reply_text{answer, false, st.replay_next, false});
  return true;
}

// After each reply: the engine's state, when it changed, goes out to be saved with the
// transcript (with the count of caller lines it has taken in), and to the supervisor's memory
// for a dialog it may restart. "" (a tool round is out): the state before stands.
void dialog_save_state(dialog_self self, std::string s, std::int64_t heard) {
  auto& st = self->state;
  if (s.empty() || (s == st.saved_state && heard == st.saved_heard))
    return;
  st.saved_state = s;
  st.saved_heard = heard;
  if (st.memory) {
    std::lock_guard lk(st.memory->mtx);
    st.memory->state = s;
    st.memory->heard = heard;
  }
  if (st.services->events)
    st.services->events->on_dialog_state(st.info, dialog::wrap_saved_dialog(s, heard));
}

void dialog_handle(dialog_self self, dialog::reply r, std::string state, std::int64_t heard) {
  auto& st = self->state;
  st.vendor_wait_us += r.vendor_wait_us;
  if (!st.replayed.empty() && heard >= st.replayed_heard) { // the answer to the replayed line
    if (r.partial) {
      st.replay_stream += (st.replay_stream.empty() ? "" : " ") + r.say;
    } else if (r.tools.empty() && !(r.say.empty() && st.replay_stream.empty())) {
      auto said = std::exchange(st.replay_stream, {});
      st.replay_answer = said + (said.empty() || r.say.empty() ? "" : " ") + r.say;
      st.replay_next = static_cast<std::int32_t>(r.next);
    }
  }
  if (r.partial) { // a sentence of a reply still being written: said at once
    st.streaming = true;
    tell_supervisor(self, to_reply(r));
    return;
  }
  dialog_save_state(self, std::move(state), heard);
  bool streamed = std::exchange(st.streaming, false);
  if (r.tools.empty()) {
    if (!r.say.empty() || r.end_call || streamed)
      tell_supervisor(self, to_reply(r));
    return;
  }
  if (streamed) {
    // The model's words before its tool calls are being said already: the rest goes with
    // them (it ends the reply), and no filler follows.
    tell_supervisor(self, reply_text{r.say, false, static_cast<std::int32_t>(r.next)});
    r.say.clear();
  }
  dialog_run_tools(self, r);
}

dialog_actor::behavior_type dialog_fn(dialog_self self, call_services* services,
                                      call_info info, supervisor_actor supervisor, bool greet,
                                      calendar_actor calendar,
                                      std::shared_ptr<dialog_memory> memory) {
  log_failures(self, info.call_sid, "dialog");
  auto& s = self->state;
  s.memory = std::move(memory);
  s.calendar = std::move(calendar);
  s.services = services;
  s.info = std::move(info);
  s.supervisor = std::move(supervisor);
  s.profile = std::make_shared<booking::business_profile>();
  s.profile->id = s.info.business_id;
  s.profile->name = s.info.business_name;
  s.profile->greeting = s.info.greeting;
  auto ready = [self, greet] {
    auto& st = self->state;
    st.shared_engine = st.services->make_dialog(*st.profile);
    if (st.shared_engine->blocking()) {
      auto* pool = st.services->dialog_pool ? st.services->dialog_pool : st.services->blocking;
      st.engine_queue = std::make_shared<serial_queue>(*pool);
      // Each sentence of a reply is spoken as soon as the engine has it (it comes back in
      // order with the replies, through the same queue). The engine keeps the sink: it holds
      // this actor weakly, or the two would keep each other alive.
      auto weak = caf::actor_cast<caf::actor_addr>(self);
      st.shared_engine->stream_sentences([out = st.engine_out, weak](std::string sentence) {
        dialog::reply r;
        r.say = std::move(sentence);
        r.partial = true;
        r.vendor_wait_us = vendor_wait::take_us(); // the model's stream up to this sentence
        {
          std::lock_guard lk(out->mtx);
          out->items.emplace_back(std::move(r), std::string{}, 0);
        }
        if (auto me = caf::actor_cast<caf::strong_actor_ptr>(weak))
          caf::anon_send(caf::actor_cast<dialog_actor>(me), engine_atom::value);
      });
    }
    st.engine_ready = true;
    dialog::business_context ctx;
    ctx.name = st.profile->name;
    ctx.greeting = st.profile->greeting;
    ctx.timezone = st.profile->timezone;
    ctx.address = st.profile->address;
    ctx.hours_text = st.profile->hours_text;
    ctx.services = st.profile->services;
    ctx.can_transfer = !st.profile->transfer_number.empty();
    ctx.caller_number = st.info.caller;
    if (greet && (!st.info.resume_state.empty() || !st.info.resume_heard.empty())) {
      // A call taken over from a lost node picks up where it was. What the caller said that
      // the saved state never took in (the node was lost between saving the caller's words and
      // the answer to them) is answered now, after the apology, rather than asked again.
      auto saved = dialog::unwrap_saved_dialog(st.info.resume_state);
      auto unheard = dialog::unheard_lines(saved, st.info.resume_heard);
      st.heard = static_cast<std::int64_t>(st.info.resume_heard.size() - unheard.size());
      bool answer_next = !unheard.empty();
      dialog_engine_call(self, [ctx, engine_state = std::move(saved.engine),
                                answer_next](dialog::dialog_engine& e) {
        std::optional<dialog::reply> r;
        if (!engine_state.empty())
          r = e.resume(ctx, engine_state);
        if (!r)
          return e.start(ctx);
        if (answer_next) // the question it would repeat is answered already
          r->say = std::string(dialog::cut_off_apology);
        return std::move(*r);
      });
      if (answer_next) {
        std::string words;
        for (auto& line : unheard)
          words += (words.empty() ? "" : " ") + line;
        st.replayed = unheard.back();
        st.replayed_heard = st.heard + static_cast<std::int64_t>(unheard.size());
        dialog_take_turn(self, static_cast<std::int64_t>(unheard.size()),
                         [words](dialog::dialog_engine& e) { return e.on_caller(words); });
      }
    } else if (greet) {
      dialog_engine_call(self, [ctx](dialog::dialog_engine& e) { return e.start(ctx); });
    } else {
      // Restarted mid-call: the conversation so far comes back, unspoken (the supervisor asks
      // the caller again if a turn died with the failed dialog, and counted it as heard). The
      // last state this call saved, or the one it was taken over with.
      std::string saved;
      bool remembered = false;
      if (st.memory) {
        std::lock_guard lk(st.memory->mtx);
        saved = st.memory->state;
        st.heard = st.memory->heard;
        remembered = !saved.empty();
      }
      if (!remembered) { // nothing saved on this node yet: the state it was taken over with
        auto taken_over = dialog::unwrap_saved_dialog(st.info.resume_state);
        saved = std::move(taken_over.engine);
        st.heard += taken_over.heard.value_or(0);
      }
      st.saved_state = saved;
      st.saved_heard = st.heard;
      dialog_engine_call(self, [ctx, saved](dialog::dialog_engine& e) {
        if (saved.empty() || !e.resume(ctx, saved))
          e.start(ctx); // its context, at least; the greeting was said long ago
        return dialog::reply{};
      });
    }
    for (auto& [text, lines] : std::exchange(st.waiting, {}))
      dialog_take_turn(self, lines,
                       [text](dialog::dialog_engine& e) { return e.on_caller(text); });
  };
  std::shared_ptr<const booking::business_profile> cached;
  if (services->profiles)
    cached = services->profiles->fresh(s.profile->id, std::chrono::steady_clock::now());
  if (cached) {
    // Read for a recent call of the same business: no database round trip, no pool queue.
    *s.profile = *cached;
    self->send(self, loaded_atom::value);
  } else if (services->calendar && services->blocking) {
    // The business's data comes from the database, off the scheduler.
    auto me = caf::actor_cast<dialog_actor>(self);
    services->blocking->post([cal = services->calendar, holder = s.profile, me,
                              on_business = services->on_business,
                              profiles = services->profiles] {
      auto p = cal->profile(holder->id);
      if (p) {
        *holder = std::move(*p);
        if (profiles)
          profiles->put(*holder, std::chrono::steady_clock::now());
      } else {
        spdlog::error("business {}: {}", holder->id, p.error().message);
      }
      auto loaded = p ? std::make_optional(*holder) : std::nullopt;
      caf::anon_send(me, loaded_atom::value);
      if (loaded && on_business)
        on_business(*loaded); // after the greeting is on its way
    });
  } else {
    self->send(self, loaded_atom::value);
  }
  return {
      [=](loaded_atom) { ready(); },
      [=](turn_atom, const std::string& text, std::int32_t lines) {
        auto& st = self->state;
        if (!st.engine_ready) {
          st.waiting.emplace_back(text, lines);
          return;
        }
        if (dialog_said_again(self, text))
          return;
        dialog_take_turn(self, lines,
                         [text](dialog::dialog_engine& e) { return e.on_caller(text); });
      },
      [=](turn_atom, const std::string& text, const std::vector<std::string>& unsure) {
        auto& st = self->state;
        if (!st.engine_ready) { // said over the greeting: the doubts matter less than the words
          st.waiting.emplace_back(text, 1);
          return;
        }
        if (dialog_said_again(self, text))
          return;
        dialog_take_turn(self, 1, [text, unsure](dialog::dialog_engine& e) {
          return e.on_caller_heard(text, unsure);
        });
      },
      [=](engine_atom) {
        auto& st = self->state;
        std::tuple<dialog::reply, std::string, std::int64_t> item;
        {
          std::lock_guard lk(st.engine_out->mtx);
          if (st.engine_out->items.empty())
            return;
          item = std::move(st.engine_out->items.front());
          st.engine_out->items.pop_front();
        }
        auto& [reply, state, heard] = item;
        dialog_handle(self, std::move(reply), std::move(state), heard);
      },
      [=](tool_atom) {
        auto& st = self->state;
        std::pair<std::uint64_t, dialog::tool_result> item;
        {
          std::lock_guard lk(st.done->mtx);
          if (st.done->items.empty())
            return;
          item = std::move(st.done->items.front());
          st.done->items.pop_front();
        }
        if (item.first != st.generation || st.tools_pending == 0)
          return; // a stale round: the caller moved on
        --st.tools_pending;
        dialog_engine_call(self, [result = std::move(item.second)](dialog::dialog_engine& e) {
          return e.on_result(result);
        });
      },
      [=](filler_atom, std::uint64_t gen) {
        auto& st = self->state;
        if (gen == st.generation && st.tools_pending > 0 && !st.filler_said) {
          st.filler_said = true;
          tell_supervisor(self, reply_text{st.filler, false, 0});
        }
      },
      [=](interrupt_atom, const std::string& heard) {
        auto& st = self->state;
        if (!st.engine_ready)
          return;
        dialog_engine_call(self, [heard](dialog::dialog_engine& e) {
          e.on_interrupted(heard);
          return dialog::reply{};
        });
      },
      [=](summary_atom) -> caf::result<std::vector<std::string>> {
        auto& st = self->state;
        if (!st.engine_ready)
          return std::vector<std::string>{"", ""};
        if (!st.engine_queue) {
          auto s = st.shared_engine->summarize();
          return std::vector<std::string>{s.text(), s.outcome};
        }
        // The LLM writes the summary: off the scheduler, after the engine's queued work.
        st.summary_promise = self->make_response_promise<std::vector<std::string>>();
        auto me = caf::actor_cast<dialog_actor>(self);
        st.engine_queue->post([engine = st.shared_engine, me] {
          std::vector<std::string> out{"", ""};
          try {
            auto s = engine->summarize();
            out = {s.text(), s.outcome};
          } catch (const std::exception& e) {
            spdlog::error("dialog summary failed: {}", e.what());
          }
          caf::anon_send(me, summarized_atom::value, std::move(out));
        });
        return st.summary_promise;
      },
      [=](summarized_atom, std::vector<std::string>& s) {
        auto& st = self->state;
        if (st.summary_promise.pending())
          st.summary_promise.deliver(std::move(s));
      },
  };
}

} // namespace

proto::dialog_actor spawn_dialog(caf::local_actor* parent, call_services* services,
                                 call_info info, proto::supervisor_actor supervisor, bool greet,
                                 proto::calendar_actor calendar,
                                 std::shared_ptr<dialog_memory> memory) {
  return parent->spawn<caf::monitored>(dialog_fn, services, std::move(info), std::move(supervisor),
                                       greet, std::move(calendar), std::move(memory));
}

} // namespace frontdesk::call
