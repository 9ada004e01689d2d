#pragma once

#include <functional>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/call/call.hpp"

namespace frontdesk {
class worker_pool;
namespace speech {
class tts_engine;
class stt_engine;
class vad;
class stt_session;
enum class listen_for;
} // namespace speech
namespace dialog {
class dialog_engine;
}
namespace booking {
struct business_profile;
class calendar_service;
class profile_cache;
} // namespace booking
class clock;
namespace console {
class call_taps;
}
} // namespace frontdesk

namespace frontdesk::call {

/// What every call's actors share: engines, pools, persistence. Engines outlive the runtime.
struct call_services {
  speech::tts_engine* tts = nullptr;
  speech::stt_engine* stt = nullptr;
  std::function<std::unique_ptr<speech::vad>()> make_vad;
  /// Called on the blocking pool once a call has loaded its business (e.g. to give the
  /// recogniser the business's words before the caller speaks). May block; must not throw.
  std::function<void(const booking::business_profile&)> on_business;
  /// Opens the recogniser for a call's `n`th utterance (0-based), leaning towards what the dialog
  /// waits for; unset: `stt->start(business_id, hint)`.
  /// Runs on the speech pool (in the listener when `speech_blocks` is false). The instant test
  /// engines use it to read the call's script.
  std::function<std::unique_ptr<speech::stt_session>(const call_info&, std::size_t n,
                                                     speech::listen_for hint)>
      open_stt;
  /// Called as a call starts and once its actors are gone (on an actor thread: must not
  /// block). A cloud recogniser opens the call's socket early and closes it at the end.
  std::function<void(const call_info&)> on_call_start;
  std::function<void(const call_info&)> on_call_end;
  /// Called on the speech pool with each sentence's length as it is sent to the synthesiser
  /// (what a cloud voice bills). May be unset.
  std::function<void(const std::string& call_id, std::size_t characters)> on_synthesised;
  /// A dialog engine for one call of a business.
  std::function<std::unique_ptr<dialog::dialog_engine>(const booking::business_profile&)>
      make_dialog;
  /// The business's data and the dialog's tools; null: the call knows only what call_info says.
  booking::calendar_service* calendar = nullptr;
  /// Profiles read recently, shared by the node's calls; null: every call reads its business.
  booking::profile_cache* profiles = nullptr;
  const frontdesk::clock* clk = nullptr;
  worker_pool* speech_pool = nullptr; // recognition and synthesis
  /// False when the recogniser and synthesiser return at once (the instant engines): their
  /// calls then run in the listener and speaker themselves, as a dialog engine that never
  /// blocks runs in the dialog actor, without a hop to the speech pool and back.
  bool speech_blocks = true;
  worker_pool* blocking = nullptr;    // blocking work (the business's data and tools)
  worker_pool* calendar_pool = nullptr; // the calendar actors' tools; unset: `blocking`
  worker_pool* recording_pool = nullptr; // encoding and writing recordings; unset: `blocking`
  worker_pool* dialog_pool = nullptr; // blocking dialog engines (the LLM); unset: `blocking`
  std::shared_ptr<call_events> events;
  /// Where live calls tell the operator consoles their state, partial words and audio
  /// (protocols/console/tap.hpp). Unset: nothing is published.
  std::shared_ptr<console::call_taps> taps;
  /// Where a business's calendar tools go: in a cluster, an actor (a `proto::calendar_actor`)
  /// that routes them to the business's home node. Unset: a calendar actor on this node,
  /// started with the business's first call.
  std::function<caf::actor(const std::string& business_id)> calendar_route;
  std::string recordings_dir;         // empty: calls are not recorded
  /// Transport tests and benchmarks only: the media actor echoes the caller instead of
  /// running the receptionist (no engines needed).
  bool echo = false;
  int max_restarts = 3;               // per child, then the call is ended politely
};

/// The call runtime on a CAF actor system. The system must have loaded the frontdesk type ids.
std::unique_ptr<call_runtime> make_call_runtime(caf::actor_system& sys, call_services services);

/// Adds the project's message types to an actor system configuration.
void add_message_types(caf::actor_system_config& cfg);

} // namespace frontdesk::call
