#pragma once

#include <QString>

namespace docsight {

// Why one document (or one page) could not be read. The message is shown to the analyst as is.
struct LoadError {
    enum class Kind {
        None,
        Io,               // cannot read the file
        Unsupported,      // not a type Docsight reads
        Corrupt,          // damaged beyond what the engine can recover
        PasswordRequired, // encrypted and no (or a wrong) password given
        Empty,            // opened fine but holds no pages / no text
        OcrFailed,        // the OCR engine could not run or read the page
        TooLarge,         // over a safety limit (pages, pixels, bytes)
        DiskFull,         // the library's disk has no room left; the document resumes once it has
        Cancelled,
    };
    Kind kind = Kind::None;
    QString message;

    bool isError() const noexcept { return kind != Kind::None; }
    static LoadError make(Kind k, const QString &msg) { return LoadError{k, msg}; }
};

QString loadErrorKindName(LoadError::Kind kind);

} // namespace docsight
