// A plain mutation driver for the fuzz targets, so the README's test command fuzzes with any compiler
// (a libFuzzer build, the "fuzz" preset, links the targets against -fsanitize=fuzzer instead).
//   fuzz_X CORPUS_DIR [SECONDS] [MAX_RUNS]
// Runs every corpus file, then mutated copies of them (bit flips, byte changes, cuts, duplications,
// splices, interesting values) for SECONDS or MAX_RUNS, whichever ends first. Before each run the
// input is written to fuzz-last-input: after a crash, that file reproduces it (add it to tests/data/).

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

using Bytes = std::vector<std::uint8_t>;

void run(const Bytes &input)
{
    {
        std::ofstream last("fuzz-last-input", std::ios::binary | std::ios::trunc);
        last.write(reinterpret_cast<const char *>(input.data()), std::streamsize(input.size()));
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
}

Bytes mutate(Bytes b, const std::vector<Bytes> &corpus, std::mt19937_64 &rng)
{
    const auto pick = [&](std::size_t n) { return n == 0 ? 0 : std::size_t(rng() % n); };
    static const std::uint64_t interesting[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0xffffffff, ~0ull, 32, 64, 1u << 20};
    const int steps = 1 + int(rng() % 4);
    for (int s = 0; s < steps; ++s) {
        switch (rng() % 7) {
        case 0: if (!b.empty()) b[pick(b.size())] ^= std::uint8_t(1u << (rng() % 8)); break;
        case 1: if (!b.empty()) b[pick(b.size())] = std::uint8_t(rng()); break;
        case 2: if (!b.empty()) b.resize(pick(b.size())); break;
        case 3: { // duplicate a run of bytes
            if (b.empty()) break;
            const std::size_t from = pick(b.size()), n = std::min<std::size_t>(pick(64) + 1, b.size() - from);
            b.insert(b.begin() + std::ptrdiff_t(pick(b.size())), b.begin() + std::ptrdiff_t(from), b.begin() + std::ptrdiff_t(from + n));
            break;
        }
        case 4: { // an interesting value, little-endian, at a random offset
            const std::uint64_t v = interesting[pick(std::size(interesting))];
            const std::size_t width = std::size_t(1) << (rng() % 4);
            if (b.size() < width) break;
            const std::size_t at = pick(b.size() - width + 1);
            for (std::size_t i = 0; i < width; ++i)
                b[at + i] = std::uint8_t(v >> (8 * i));
            break;
        }
        case 5: { // splice with another corpus file
            const Bytes &other = corpus[pick(corpus.size())];
            if (other.empty() || b.empty()) break;
            const std::size_t cut = pick(b.size()), from = pick(other.size());
            b.resize(cut);
            b.insert(b.end(), other.begin() + std::ptrdiff_t(from), other.end());
            break;
        }
        case 6: if (!b.empty()) b.erase(b.begin() + std::ptrdiff_t(pick(b.size()))); break;
        }
    }
    return b;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR [SECONDS] [MAX_RUNS]\n", argv[0]);
        return 2;
    }
    const double seconds = argc > 2 ? std::atof(argv[2]) : 20;
    const long maxRuns = argc > 3 ? std::atol(argv[3]) : 1'000'000;
    std::vector<Bytes> corpus;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(argv[1], ec)) {
        std::ifstream in(entry.path(), std::ios::binary);
        corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (corpus.empty()) {
        std::fprintf(stderr, "%s: no corpus files%s%s\n", argv[1], ec ? ": " : "", ec ? ec.message().c_str() : "");
        return 2;
    }
    for (const Bytes &input : corpus)
        run(input);
    std::mt19937_64 rng(20261126); // fixed: a run can be repeated
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    long runs = 0;
    while (runs < maxRuns && std::chrono::steady_clock::now() < until) {
        run(mutate(corpus[std::size_t(rng() % corpus.size())], corpus, rng));
        ++runs;
    }
    std::printf("%s: %ld mutated inputs and %zu corpus files, no crash\n", argv[0], runs, corpus.size());
    return 0;
}
