# glibc malloc settings for libtorch on the JVM, sourced by bin/derain (and the benchmarks that run the engine the same
# way). libtorch frees and reallocates the same large sizes for every layer, chunk and photo; by default glibc returns
# such blocks to the system and takes fresh, zero-filled pages for the next one. Keeping them halves the page faults
# and makes a forward pass 15-25 % faster, at the cost of more resident memory (freed blocks are kept: tiles of 512
# at 2048x1536 1.5 -> 2.1 GB peak). bench/RESULTS.md, "embedding_bag". A value the user has set is kept.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-4294967296}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-17179869184}"
export MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-268435456}"
