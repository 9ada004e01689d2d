#pragma once

#include <chrono>
#include <string>

namespace frontdesk::sms {

/// What to do when a text the vendor accepted ends `undelivered` or `failed` with a carrier
/// error code (from a status callback or a status poll).
struct delivery_failure {
  /// Send it once more after `retry_after` (30003 unreachable, 30008 unknown: often passing).
  /// A resend that fails again is final.
  bool retry_once = false;
  std::chrono::minutes retry_after{0};
  /// The number cannot take texts (30005 unknown handset, 30006 landline): no more texts are
  /// queued for it until it texts the business itself.
  bool number_unusable = false;
  /// A task for staff, of this kind ("" for none): the customer did not get the text.
  std::string staff_task;
  /// The task concerns the business's sending, not one customer (30007 filtered as spam,
  /// 30034 unregistered 10DLC sender): one open task per business, not one per text.
  bool business_wide = false;
  /// Why, in words a person at the business can act on.
  std::string note;
};

/// The policy for one carrier error code. Codes without a rule are final with no task: the
/// log keeps the code. 30036 (the ValidityPeriod ran out) is final and quiet: a reminder that
/// could not arrive in time is not news for staff.
delivery_failure classify_delivery_failure(int error_code);

/// True when a status callback's or poll's state is a delivery failure (`undelivered`,
/// `failed`) that the per-code policy acts on.
bool is_delivery_failure(const std::string& status);

} // namespace frontdesk::sms
