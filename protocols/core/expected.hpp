#pragma once

#include <string>
#include <utility>
#include <variant>

namespace frontdesk {

/// An error as a value: a short machine-readable code and a message for people.
struct failure {
  std::string code;
  std::string message;
};

/// The result of an operation that can fail on outside input: a value or a failure.
/// (std::expected arrives with C++23; this is the small part of it the project needs.)
template <class T>
class expected {
public:
  expected(T value) : data_(std::move(value)) {}
  expected(failure f) : data_(std::move(f)) {}

  bool has_value() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const failure& error() const { return std::get<1>(data_); }

private:
  std::variant<T, failure> data_;
};

/// Builds a failure in one expression: `return fail("bad_time", "...")`.
inline failure fail(std::string code, std::string message) {
  return failure{std::move(code), std::move(message)};
}

} // namespace frontdesk
