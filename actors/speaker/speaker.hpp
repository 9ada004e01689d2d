#pragma once

// The speaker role's actor shell: synthesis on the speech pool, streamed to the media actor
// sentence by sentence (sentences.hpp). Actor code only (CAF).

#include <string>

#include <caf/fwd.hpp>

#include "actors/call/runtime.hpp"
#include "protocols/actor/interfaces.hpp"

namespace frontdesk::call {

/// Spawns a call's speaker, monitored by `parent` (the call's supervisor). `voice`: the
/// business's own (a cloud voice's name), "" the engine's default.
proto::speaker_actor spawn_speaker(caf::local_actor* parent, proto::supervisor_actor supervisor,
                                   proto::media_actor media, call_services* services,
                                   std::string call_sid, std::string call_id,
                                   std::string voice = {});

} // namespace frontdesk::call
