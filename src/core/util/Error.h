#pragma once

#include <QString>
#include <stdexcept>

namespace strata {

// The one exception type Strata's own code throws. Its message is a complete sentence meant for a
// user (it names the file, tensor or field at fault); the CLI prints it as its one line on stderr
// and the GUI shows it in a message box.
class Error : public std::runtime_error
{
public:
    explicit Error(const QString &message) : std::runtime_error(message.toStdString()), m_message(message) {}
    const QString &message() const noexcept { return m_message; }

private:
    QString m_message;
};

} // namespace strata
