"""
Which posts made a creator a "fitness" creator? AttentionDisplay
================================================================

``AttentiveProfiler`` classifies a creator from all their posts and weighs each post
with an attention layer, so every prediction comes with the posts it relied on.
:class:`~skinfluence.plotting.AttentionDisplay` draws one creator's posts as bars,
most attended first, with a dashed line at the weight every post would get if all
counted the same.

The per-post features here are cheap on purpose (the gallery runs on two cores): each
caption as TF-IDF reduced to 32 dimensions, through a small extractor written for this
example. Any object with ``fit`` and ``transform_posts`` can stand in a
``PostEncoder``; ``SentenceEmbedder`` is the better (and slower) choice in practice,
as in the *attentive_profiler* example.
"""

# %%
# A per-post caption extractor, and the profiler on top
# -----------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skinfluence import PostEncoder, PostFeatures, flatten_posts, make_creators
from skinfluence.plotting import AttentionDisplay
from skinfluence.profiling import AttentiveProfiler


class CaptionTopics(BaseEstimator):
    """Each post's caption as TF-IDF -> SVD -> standardised; posts without one masked out."""

    def __init__(self, n_components=32):
        self.n_components = n_components

    @staticmethod
    def _captions(X):
        flat = flatten_posts(X)
        return flat, ["" if t is None else str(t) for t in flat.column("text").to_pylist()]

    def fit(self, X, y=None):
        _, texts = self._captions(X)
        self.model_ = make_pipeline(TfidfVectorizer(sublinear_tf=True, min_df=2),
                                    TruncatedSVD(self.n_components, random_state=0),
                                    StandardScaler()).fit(texts)
        return self

    def transform_posts(self, X):
        flat, texts = self._captions(X)
        mask = np.array([bool(t.strip()) for t in texts])
        values = self.model_.transform(texts).astype(np.float32)
        values[~mask] = 0.0
        return PostFeatures(values, flat.offsets, mask=mask)


data = make_creators(200, n_topics=4, n_post_categories=8, n_posts=(8, 20), off_topic=0.4,
                     random_state=0)
frame, topic = data.accounts, data.topic
train, test = np.arange(150), np.arange(150, 200)
model = make_pipeline(
    PostEncoder([("caption", CaptionTopics())], label_field="label"),
    AttentiveProfiler(hidden_size=32, attention_size=16, head_hidden_size=16, lr=1e-2,
                      max_epochs=15, batch_size=16, device="cpu", random_state=0),
)
model.fit(frame.iloc[train], topic[train])
print(f"topic accuracy on {len(test)} held-out creators: "
      f"{model.score(frame.iloc[test], topic[test]):.2f} (chance 0.25)")

# %%
# One creator's posts by attention
# --------------------------------
# ``from_estimator`` takes the fitted profiler, the per-post features and the creator
# (a position or an index label); captions label the bars, with each post's predicted
# and true category (``make_creators`` labels every post; 40 % are off topic).
encoder, profiler = model[0], model[-1]
X = encoder.transform(frame.iloc[test])
texts = np.asarray(flatten_posts(frame.iloc[test]).column("text").to_pylist(), dtype=object)
display = AttentionDisplay.from_estimator(profiler, X, 0, texts=texts, top=10)

# %%
# The weights stay on the display; the on-topic posts should carry most of them.
labels = X[0].extras["label"]
on_topic = labels == topic[test][0]
weights = np.asarray(display.weights)
print(f"{on_topic.mean():.0%} of the posts are on topic and get "
      f"{weights[on_topic].sum():.0%} of the attention")

# %%
# Two creators side by side, drawn into given Axes:
fig, axes = plt.subplots(1, 2, figsize=(14, 4.5))
for ax, creator in zip(axes, (1, 2), strict=True):
    AttentionDisplay.from_estimator(profiler, X, creator, top=8, ax=ax)
fig.tight_layout()
plt.show()
