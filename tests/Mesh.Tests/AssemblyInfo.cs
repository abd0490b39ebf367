// End-to-end scenarios each start a whole Mesh; running them one at a time keeps a 2-core
// machine from starving their timers.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
