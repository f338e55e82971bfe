"""The ``tco`` calculator: total cost of ownership of a GPU cluster."""

from __future__ import annotations

from dataclasses import replace

from tcoctl.specs.base import (
    CARBON_INTENSITY,
    DRAW_FRACTION,
    ELECTRICITY,
    EMBODIED,
    GPUS_PER_NODE,
    LOAD,
    NODES,
    POWER,
    PUE,
    Calculator,
    Input,
    Result,
    share,
)

ITEMS = (
    ("servers", "GPU servers"),
    ("network", "network"),
    ("facility", "data centre"),
    ("power", "electricity"),
    ("other_opex", "other opex"),
)

TCO = Calculator(
    name="tco",
    help="Total cost of ownership of a GPU cluster: annual cost by line item and share, "
    "cost per GPU-hour and per million tokens, power and energy.",
    default_preset="frontier-2024",
    fitted="training-fit",
    fitted_section="flops",
    summary="cluster TCO",
    unit_example="total_annual_cost=MUSD/yr",
    target="cost_per_gpu_hour",
    headline=("cost_per_gpu_hour", "total_annual_cost", "gpu_share", "power_share"),
    sweep_example="electricity=0.02..0.40USD/kWh:50|power_share=0.15",
    solve_example="electricity|power_share=0.15",
    preset_is_base=True,
    shares=tuple((f"{item}_share", label) for item, label in ITEMS),
    defaults={"residual": "0"},
    inputs=(
        Input("gpus", "Number of GPUs.", "100000", excludes=("site-power", "nodes"), whole=True),
        replace(NODES, excludes=("gpus", "site-power")),
        GPUS_PER_NODE,
        Input(
            "site-power",
            "Facility power that sets the GPU count (instead of --gpus).",
            "1 GW",
            "W",
            "MW",
            excludes=("gpus", "nodes"),
        ),
        Input(
            "gpu",
            "Hardware preset. Given as an option, it also sets --power to its rated TDP x 1.82 "
            "(the DGX H100 ratio, a fallback) unless --power is given, and --gpu-price to the "
            "preset's cited price if it has one (else the scenario's is kept) unless --gpu-price "
            "is given.",
            "h100-sxm",
            kind="gpu",
            keeps=("gpu-price", "network-cost"),
            resets=("power",),
        ),
        Input(
            "gpu-price",
            "GPU server capex per GPU (GPU plus its share of the host).",
            "33750 USD",
            "USD",
            "USD",
        ),
        Input("network-cost", "Network capex per GPU.", "6600 USD", "USD", "USD", positive=False),
        Input(
            "facility-cost",
            "Data-centre build cost per kW of IT power.",
            "11700 USD/kW",
            "USD/W",
            "USD/kW",
            positive=False,
        ),
        Input("facility-life", "Data-centre amortisation life.", "20 yr", "s", "yr"),
        replace(
            POWER,
            help="Rated all-in IT power per GPU (GPU, host share, network): the facility is "
            "built and its capex counted for it.",
        ),
        replace(LOAD, help="Average draw as a fraction of --power (default: --draw-fraction)."),
        replace(
            DRAW_FRACTION,
            help="Average draw as a fraction of the rated all-in power: sets --load when it is "
            "not given (default: measured, preset training-fit).",
        ),
        PUE,
        ELECTRICITY,
        Input("life", "Server depreciation life.", "5 yr", "s", "yr"),
        Input(
            "rate",
            "Cost of capital per year, a fraction or % (0 means straight-line).",
            "10 %",
            positive=False,
            maximum=1.0,
        ),
        Input(
            "residual",
            "Resale value of servers and network at the end of --life, a fraction of their "
            "capex (default 0).",
            "20 %",
            positive=False,
            maximum=1.0,
        ),
        Input("utilization", "Fraction of hours doing useful work.", "0.9", maximum=1.0),
        Input(
            "other-opex",
            "Other opex per GPU per year (maintenance, staff, software).",
            "1000 USD/yr",
            "USD/s",
            "USD/yr",
            positive=False,
        ),
        Input(
            "tokens-per-second",
            "Throughput per GPU, for cost per million tokens.",
            "1000 token/s",
            "token/s",
            "token/s",
            bare=True,
        ),
        Input(
            "rent-price",
            "A rental price per GPU-hour to weigh owning against.",
            "2.5 USD/h",
            "USD/s",
            "USD/h",
        ),
        CARBON_INTENSITY,
        EMBODIED,
    ),
    results=(
        *(
            Result(
                f"{item}_annual",
                f"Annual cost: {label}.",
                "USD/s",
                "USD/yr",
                quantity=f"{item}_cost_rate",
            )
            for item, label in ITEMS
        ),
        *(share(f"{item}_share", f"Share of annual cost: {label}.") for item, label in ITEMS),
        share("gpu_share", "Share of annual cost: GPU hardware (servers and network)."),
        Result("total_annual_cost", "Total annual cost.", "USD/s", "USD/yr", "total_cost_rate"),
        Result("total_cost", "Total cost over the server life.", "USD", "USD"),
        Result(
            "capex",
            "Up-front capital: GPU servers and network per GPU, and the data centre per kW.",
            "USD",
            "USD",
            detail=True,
        ),
        Result(
            "annual_opex",
            "Operating cost per year: electricity and other opex.",
            "USD/s",
            "USD/yr",
            "opex_rate",
            detail=True,
        ),
        Result(
            "opex_share_of_capex",
            "One year's opex as a share of capex (annual_opex / capex).",
            detail=True,
        ),
        Result(
            "cost_per_gpu_hour", "Cost per useful GPU-hour.", "USD/s", "USD/h", "cost_per_gpu_time"
        ),
        Result(
            "own_to_rent",
            "Owned cost per useful GPU-hour / --rent-price (below 1: owning is cheaper).",
        ),
        Result(
            "breakeven_utilization",
            "Utilisation at which owning costs the --rent-price (above 1: renting is always "
            "cheaper).",
        ),
        Result(
            "cost_per_million_tokens",
            "Cost per million tokens.",
            "USD/token",
            "USD/Mtoken",
            "cost_per_token",
        ),
        Result(
            "gpus",
            "GPUs.",
            hint="the site power holds no whole GPU at this power and PUE",
            echo=True,
        ),
        Result(
            "power_per_gpu",
            "Rated all-in IT power per GPU (--power, or the fallback TDP x 1.82, the DGX H100 "
            "rating).",
            "W",
            "W",
            "power",
            echo=True,
        ),
        Result("it_power", "IT power (GPUs x power).", "W", "MW"),
        Result("facility_power", "Facility power (IT power x PUE).", "W", "MW"),
        Result(
            "annual_energy",
            "Facility energy per year (IT x load x PUE).",
            "W",
            "GWh/yr",
            "energy_rate",
        ),
        Result(
            "annual_emissions",
            "Operational CO2e per year: annual energy x carbon intensity.",
            "gCO2e/s",
            "tCO2e/yr",
            "emissions_rate",
        ),
        Result(
            "annual_embodied_emissions",
            "Embodied CO2e per year: GPUs x embodied / life.",
            "gCO2e/s",
            "tCO2e/yr",
            "embodied_fleet_rate",
        ),
    ),
)
