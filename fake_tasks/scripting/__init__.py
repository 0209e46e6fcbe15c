"""What tests script: the `FakeTasks` facade, faults and the journal."""
