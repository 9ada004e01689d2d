#pragma once

#include <mutex>

namespace frontdesk::speech {

/// Flite keeps global state: every use of it (synthesis, lexicon look-ups) holds this lock.
std::mutex& flite_lock();

} // namespace frontdesk::speech
