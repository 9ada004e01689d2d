#include "adapters/cloud_speech/cloud_speech.hpp"

#include "adapters/metrics/metrics.hpp"

namespace frontdesk::speech {

vendor_metrics register_vendor_metrics(metrics::registry& r, const std::string& vendor,
                                       const std::string& kind) {
  auto labels = "vendor=\"" + vendor + "\",kind=\"" + kind + "\"";
  vendor_metrics m;
  m.requests = &r.add_counter("frontdesk_speech_vendor_requests_total",
                              "Sockets opened (STT) and requests made (TTS) per speech vendor.",
                              labels);
  m.failures = &r.add_counter("frontdesk_speech_vendor_failures_total",
                              "Refused handshakes, dropped sockets, failed or slow requests.",
                              labels);
  m.fallbacks = &r.add_counter("frontdesk_speech_vendor_fallbacks_total",
                               "Turns or sentences the embedded engine took over from the vendor.",
                               labels);
  m.first_ms = &r.add_histogram("frontdesk_speech_vendor_first_ms",
                                "Audio sent to first result (STT), request to first byte (TTS).",
                                metrics::latency_buckets_ms(), labels);
  m.units = &r.add_counter("frontdesk_speech_vendor_units_total",
                           "Audio milliseconds streamed (STT) or characters synthesised (TTS).",
                           labels);
  return m;
}

} // namespace frontdesk::speech
