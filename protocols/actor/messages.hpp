#pragma once

// The actor protocol: every message type that crosses between a call's actors (and, later,
// between nodes), with its CAF inspect() and type id. Include this only from actor code.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

namespace frontdesk::proto {

/// One inbound 20 ms frame of caller audio (μ-law) with Twilio's stream timestamp.
struct audio_in {
  std::vector<std::uint8_t> mulaw;
  std::uint64_t timestamp_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audio_in& x) {
  return f(caf::meta::type_name("audio_in"), x.mulaw, x.timestamp_ms);
}

/// Twilio echoed a mark: the audio before it has played.
struct mark_played {
  std::string name;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mark_played& x) {
  return f(caf::meta::type_name("mark_played"), x.name);
}

/// A key the caller pressed.
struct dtmf_in {
  std::string digit;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dtmf_in& x) {
  return f(caf::meta::type_name("dtmf_in"), x.digit);
}

/// The media stream ended (Twilio `stop`, socket closed, error, or node shutdown).
struct stream_ended {
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_ended& x) {
  return f(caf::meta::type_name("stream_ended"), x.reason);
}

} // namespace frontdesk::proto

CAF_BEGIN_TYPE_ID_BLOCK(frontdesk, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::audio_in))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::mark_played))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::dtmf_in))
  CAF_ADD_TYPE_ID(frontdesk, (frontdesk::proto::stream_ended))
CAF_END_TYPE_ID_BLOCK(frontdesk)
