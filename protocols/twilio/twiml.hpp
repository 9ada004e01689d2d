#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace frontdesk::twilio {

/// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
std::string xml_escape(std::string_view s);

/// Builds a TwiML document verb by verb: `twiml().say("Hi").hangup().str()`.
class twiml {
public:
  twiml& say(std::string_view text, std::string_view voice = "", std::string_view language = "");
  /// `<Connect><Stream url=...>` with `<Parameter>`s: the bidirectional Media Stream.
  /// `action`: the URL Twilio asks for what comes next once the stream has ended.
  twiml& connect_stream(std::string_view url, const std::map<std::string, std::string>& params,
                        std::string_view status_callback = "", std::string_view action = "");
  struct dial_options {
    std::string caller_id;
    int timeout_seconds = 0; // 0: Twilio's default
    std::string action;
    bool answer_on_bridge = false;
  };
  twiml& dial(std::string_view number, const dial_options& opts);
  twiml& dial(std::string_view number) { return dial(number, dial_options{}); }
  twiml& pause(int seconds);
  twiml& redirect(std::string_view url);
  twiml& hangup();
  /// `<Message>`: the reply to an inbound SMS.
  twiml& message(std::string_view text);
  /// The whole document, with the XML declaration and the <Response> root.
  std::string str() const;

private:
  std::string body_;
};

} // namespace frontdesk::twilio
