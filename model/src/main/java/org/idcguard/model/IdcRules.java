package org.idcguard.model;

/** What makes an IDC acceptable. Shared by the manager (which enforces it) and the console (which warns early). */
public final class IdcRules {
    private final CityCatalog catalog;

    public IdcRules(CityCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Returns the IDC with province and city in the catalogue's spelling.
     *
     * @throws InvalidInput naming the first field that is wrong
     */
    public Idc check(Idc idc) {
        if (idc == null) {
            throw new InvalidInput(null, "The request needs an IDC with name, province and city.");
        }
        Names.check("name", "An IDC name", idc.name());
        if (idc.province() == null || idc.province().isBlank()) {
            throw new InvalidInput("province", "Choose the province the IDC stands in.");
        }
        String province = catalog.province(idc.province()).orElseThrow(() -> new InvalidInput("province",
                "'" + Names.shorten(idc.province()) + "' is not a province of China in the city catalogue."));
        if (idc.city() == null || idc.city().isBlank()) {
            throw new InvalidInput("city", "Choose the city the IDC stands in.");
        }
        String city = catalog.city(province, idc.city()).orElseThrow(() -> new InvalidInput("city",
                "'" + Names.shorten(idc.city()) + "' is not a city of " + province + "."));
        return new Idc(idc.name(), province, city);
    }
}
