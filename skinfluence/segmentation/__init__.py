"""Account segmentation: k-means with automatic k, readable names and a silhouette scorer."""

from ._kmeans import KMeansSegmenter, make_silhouette_scorer, silhouette_scorer

__all__ = ["KMeansSegmenter", "make_silhouette_scorer", "silhouette_scorer"]
