-- The total steps the trainer reported with each point of a run's curves, so a progress bar read through the API
-- fills as the training does. NULL where the trainer reported none (a command trainer may not know its total) and in
-- rows written before this column.
ALTER TABLE caravan_run_scalar ADD COLUMN total_steps INT;
