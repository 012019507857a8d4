"""Drawing what posecheck sees: the overlay on frames and the HTML report."""
