package org.idcguard.model;

import java.util.List;

/**
 * The manager's API as the console sees it. Every method may block on the network and
 * throws {@link ApiException} with a sentence for the DBA when the call is refused or fails.
 */
public interface ManagerApi {

    List<Idc> idcs();

    Idc addIdc(Idc idc);

    Idc updateIdc(String name, Idc idc);

    void deleteIdc(String name);

    List<Computer> computers();

    Computer addComputer(NewComputer computer);

    /** Binds the computer to the IDC, or unbinds it when idc is null. */
    Computer bindComputer(String address, String idc);

    void deleteComputer(String address);

    List<Event> events(long afterId);
}
