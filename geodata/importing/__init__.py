"""Reading the files a 街道 actually has (Shapefile, GeoJSON, GeoPackage, KML, OSM, CSV/Excel) into clean WGS-84 frames."""
