#pragma once

#include <string>

#include <fmt/format.h>

#include "protocols/call/call_port.hpp"

namespace frontdesk::call {

/// A turn's latency as it is saved with the call and shown to consoles (one JSON object).
inline std::string latency_json(const turn_latency& l) {
  return fmt::format(R"({{"turn":{},"stt_final_ms":{:.1f},"decision_ms":{:.1f},)"
                     R"("tts_first_ms":{:.1f},"first_frame_ms":{:.1f},)"
                     R"("endpoint_ms":{:.1f},"runtime_ms":{:.2f},)"
                     R"("vendor_wait_ms":{:.2f},"runtime_own_ms":{:.2f}}})",
                     l.turn, l.stt_final_ms, l.decision_ms, l.tts_first_ms, l.first_frame_ms,
                     l.endpoint_ms, l.runtime_ms(), l.vendor_wait_ms, l.runtime_own_ms());
}

} // namespace frontdesk::call
