"""What a design costs and how well it classifies: accuracy and ROC, resources, profiling, plots."""
