#include "protocols/sms/delivery_policy.hpp"

namespace frontdesk::sms {

delivery_failure classify_delivery_failure(int code) {
  delivery_failure d;
  switch (code) {
  case 30003: // unreachable handset: off or out of coverage, usually for a while only
  case 30008: // unknown carrier error
    d.retry_once = true;
    d.retry_after = std::chrono::minutes(15);
    d.staff_task = "sms_undelivered";
    d.note = code == 30003 ? "Texts to this number did not arrive (phone unreachable, twice). "
                             "Confirm the appointment by phone."
                           : "A text to this number failed twice (carrier error 30008). "
                             "Confirm the appointment by phone.";
    break;
  case 30005: // unknown or inactive handset
    d.number_unusable = true;
    d.staff_task = "sms_number_unusable";
    d.note = "This number is unknown to its carrier (error 30005): no more texts go to it. "
             "Check the number with the customer.";
    break;
  case 30006: // landline or unreachable carrier
    d.number_unusable = true;
    d.staff_task = "sms_number_unusable";
    d.note = "This number is a landline and cannot take texts (error 30006): no more texts go "
             "to it. Confirm appointments by phone, or ask for a mobile number.";
    break;
  case 30007: // filtered by the carrier as spam
    d.staff_task = "sms_filtered";
    d.business_wide = true;
    d.note = "Carriers are filtering this business's texts as spam (error 30007). Review the "
             "sender's registration and message content with the messaging provider.";
    break;
  case 30034: // US A2P 10DLC: the sending number is not registered
    d.staff_task = "sms_sender_unregistered";
    d.business_wide = true;
    d.note = "The business's texting number is not registered for US A2P 10DLC (error 30034): "
             "carriers block its texts until the registration is done.";
    break;
  default:
    break;
  }
  return d;
}

bool is_delivery_failure(const std::string& status) {
  return status == "undelivered" || status == "failed";
}

} // namespace frontdesk::sms
