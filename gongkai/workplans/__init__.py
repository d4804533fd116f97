"""The year's work plan (年度工作要点/实施方案): tasks, owners, due dates, progress, 督办."""
