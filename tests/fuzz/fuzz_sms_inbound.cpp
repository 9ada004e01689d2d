// Fuzzes what an inbound text brings: the webhook form, the keyword parser on its Body and
// OptOutType, and the segment counter; and what the Messages API answers (create reply, list
// page, one message's resource, RFC 2822 dates). Invariants: a carrier opt-out word alone is
// always an opt-out; the segment count is at least one and never more than the units allow; an
// accepted reply has a sid; a message resource has a sid and a status; a message path built from
// any id stays a message path.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/sms/keywords.hpp"
#include "protocols/sms/messages_api.hpp"
#include "protocols/sms/sms_text.hpp"
#include "protocols/twilio/form.hpp"

using namespace frontdesk;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto f = twilio::parse_form(in)) {
    auto body = f->value("Body");
    auto r = sms::parse_inbound(body, f->value("OptOutType"));
    if (r.kind == sms::intent::choose && (r.choice < 1 || r.choice > 3))
      std::abort();
    auto seg = sms::count_segments(body);
    if (seg.segments < 1 || seg.units < 0 || seg.segments > seg.units + 1)
      std::abort();
  }
  if (sms::parse_inbound(in).bare_cancel && sms::parse_inbound(in).kind != sms::intent::opt_out)
    std::abort();
  if (sms::parse_inbound(std::string(" STOP ")).kind != sms::intent::opt_out)
    std::abort();
  auto reply = sms::parse_create_reply(size > 0 ? 100 + data[0] * 2 : 201, in,
                                        size > 1 ? std::optional(std::chrono::milliseconds(data[1])) : std::nullopt);
  if (reply.what == sms::send_outcome::kind::accepted && reply.sid.empty())
    std::abort();
  (void)sms::parse_message_list(in);
  if (auto m = sms::parse_message_resource(in)) {
    if (m->sid.empty() || m->status.empty() || m->error_code < 0)
      std::abort();
  }
  if (auto p = sms::message_path("AC00000000000000000000000000000001", std::string(in))) {
    // An id that passes is two letters and hex: nothing in it can leave the path.
    if (p->find_first_of("/?#%.", 65) != p->size() - 5)
      std::abort();
  }
  if (auto t = sms::parse_rfc2822(in)) {
    if (sms::parse_rfc2822(sms::format_rfc2822(*t)) != t)
      std::abort();
  }
  return 0;
}
