"""The DFC taxonomies: they live in :mod:`core.dfc.vocabulary` (below products, which reads the
categories and labels); re-exported here for the DFC modules."""

from core.dfc.vocabulary import *  # noqa: F403
