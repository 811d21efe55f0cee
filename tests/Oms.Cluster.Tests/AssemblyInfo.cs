// The durability tests start real silo and gateway processes; running them beside the timing-sensitive
// cluster tests on a 2-core machine would make both flaky.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
