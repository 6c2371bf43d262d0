"""The predictive GRUs' own controls: performing in the dark, lesions of mirror units."""
