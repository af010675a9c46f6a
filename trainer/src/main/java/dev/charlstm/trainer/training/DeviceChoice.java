package dev.charlstm.trainer.training;

/** Where training runs. */
public enum DeviceChoice {
    /** The first GPU when DJL reports one, else the CPU. */
    AUTO,
    /** The CPU. */
    CPU,
    /** The first GPU; fails clearly when there is none. */
    GPU
}
