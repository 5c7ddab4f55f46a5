// Runs one harness over files, without libFuzzer: the regression inputs and seeds replay in the
// normal (gcc) test suite, so a fixed crash stays fixed. Usage: fuzz_replay_<harness> FILE|FOLDER...
// A folder's files run in name order; a folder that does not exist is skipped (seeds from the
// shared corpus may be absent).

#include "fuzzsupport.h"

#include <cstdio>

#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

namespace {

QStringList inputsOf(const QString &argument)
{
    const QFileInfo info(argument);
    if (info.isFile())
        return {info.filePath()};
    QStringList files;
    QDirIterator it(argument, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next());
    files.sort();
    return files;
}

} // namespace

int main(int argc, char **argv)
{
    int ran = 0;
    for (int i = 1; i < argc; ++i) {
        for (const QString &path : inputsOf(QString::fromLocal8Bit(argv[i]))) {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly)) {
                std::fprintf(stderr, "cannot read %s\n", qPrintable(path));
                return 1;
            }
            const QByteArray bytes = file.readAll();
            std::printf("%s (%lld bytes)\n", qPrintable(path), static_cast<long long>(bytes.size()));
            std::fflush(stdout);
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.constData()), size_t(bytes.size()));
            ++ran;
        }
    }
    std::printf("%d inputs ran\n", ran);
    return ran > 0 ? 0 : 1;
}
