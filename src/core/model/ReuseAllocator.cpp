// torch's CPU allocator with ReuseScope (ComputeRuntime.h): large freed blocks are kept while a
// forward pass runs and handed out again, so that each layer's attention matrix, MLP activations and
// logits blocks do not fault in fresh zeroed pages.
#include "ComputeRuntime.h"

#include "util/AtenInclude.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace strata::ComputeRuntime {

namespace {
constexpr size_t kLarge = size_t(4) << 20;      // smaller blocks: glibc's heap reuses them already
constexpr size_t kGranule = size_t(1) << 20;    // large sizes are rounded up to whole MiB
constexpr size_t kKeepAtMost = size_t(1) << 30; // kept bytes at most (beyond: freed at once)

struct Pool
{
    std::mutex mutex;
    int scopes = 0;
    std::unordered_map<void *, size_t> large; // every live or kept large block -> its size
    std::multimap<size_t, void *> kept;       // size -> kept block
    size_t keptBytes = 0;
    long long reused = 0, fresh = 0;
    bool installed = false;
};

Pool &pool()
{
    static Pool *p = new Pool; // never destroyed: tensors may be freed after static destructors ran
    return *p;
}

// The deleter of large blocks, and raw_deleter() for every block (oneDNN's scratch memory comes
// through raw_allocate): a pointer it does not know is a small block, freed at once.
void deleteBlock(void *ptr)
{
    Pool &p = pool();
    {
        std::lock_guard<std::mutex> lock(p.mutex);
        const auto it = p.large.find(ptr);
        if (it != p.large.end()) {
            const size_t n = it->second;
            if (p.scopes > 0 && p.keptBytes + n <= kKeepAtMost) {
                p.kept.emplace(n, ptr);
                p.keptBytes += n;
                return;
            }
            p.large.erase(it);
        }
    }
    c10::free_cpu(ptr);
}

class ReuseAllocator final : public c10::Allocator
{
public:
    c10::DataPtr allocate(size_t n) const override
    {
        if (n < kLarge) { // freed straight away: no lock on the common path
            void *ptr = c10::alloc_cpu(n);
            return {ptr, ptr, &c10::free_cpu, c10::Device(c10::DeviceType::CPU)};
        }
        const size_t rounded = (n + kGranule - 1) / kGranule * kGranule;
        Pool &p = pool();
        {
            std::lock_guard<std::mutex> lock(p.mutex);
            // The smallest kept block that fits, if it wastes at most an eighth of itself.
            const auto it = p.kept.lower_bound(rounded);
            if (it != p.kept.end() && it->first - rounded <= it->first / 8) {
                void *ptr = it->second;
                p.keptBytes -= it->first;
                p.kept.erase(it);
                ++p.reused;
                return {ptr, ptr, &deleteBlock, c10::Device(c10::DeviceType::CPU)};
            }
        }
        void *ptr = c10::alloc_cpu(rounded);
        std::lock_guard<std::mutex> lock(p.mutex);
        p.large.emplace(ptr, rounded);
        ++p.fresh;
        return {ptr, ptr, &deleteBlock, c10::Device(c10::DeviceType::CPU)};
    }
    c10::DeleterFnPtr raw_deleter() const override { return &deleteBlock; }
};
} // namespace

void installReuseAllocator()
{
    static ReuseAllocator allocator;
    Pool &p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    if (p.installed)
        return;
    c10::SetCPUAllocator(&allocator, /*priority*/ 1);
    p.installed = true;
}

ReuseScope::ReuseScope()
{
    Pool &p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    ++p.scopes;
}

namespace {
// Takes every kept block out of the pool (the caller holds the lock and frees them after it).
std::vector<void *> takeKept(Pool &p)
{
    std::vector<void *> release;
    for (const auto &[size, ptr] : p.kept) {
        release.push_back(ptr);
        p.large.erase(ptr);
    }
    p.kept.clear();
    p.keptBytes = 0;
    return release;
}
} // namespace

ReuseScope::~ReuseScope()
{
    Pool &p = pool();
    std::vector<void *> release;
    {
        std::lock_guard<std::mutex> lock(p.mutex);
        if (--p.scopes > 0)
            return;
        release = takeKept(p);
    }
    for (void *b : release)
        c10::free_cpu(b);
}

void releaseKept()
{
    Pool &p = pool();
    std::vector<void *> release;
    {
        std::lock_guard<std::mutex> lock(p.mutex);
        release = takeKept(p);
    }
    for (void *b : release)
        c10::free_cpu(b);
}

ReuseStats reuseStats()
{
    Pool &p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    return {p.reused, p.fresh, (long long)p.keptBytes, p.installed};
}

} // namespace strata::ComputeRuntime
