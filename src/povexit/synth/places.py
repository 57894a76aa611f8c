"""The 22 central and western provinces with poverty counties, their prefectures and region codes.

Province codes and prefecture (市/州/盟/地区) codes are the real GB/T 2260 ones; the number of
national poverty counties per province is the official list of 832 (2014). County, township and
village names are generated (the synthetic world names no real village). A synthetic county's
6-digit code is its prefecture's 4 digits + 21…, as county codes are numbered in GB/T 2260.

Region: the exit standard is 综合贫困发生率 ≤ 2% in central and ≤ 3% in western provinces; 延边州
(Jilin) is held to the western 3% (seed 001 §三(一)).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Province:
    name: str
    code: str  # 2 digits
    region: str  # central | western
    poor_counties: int  # national poverty counties (832 in all)
    minority_base: float  # probability that a township is minority-dominated (outside autonomous prefectures)
    cities: tuple[tuple[str, str], ...]  # (name, 4-digit code)


PROVINCES: tuple[Province, ...] = (
    Province(
        "河北省",
        "13",
        "central",
        45,
        0.04,
        (
            ("张家口市", "1307"),
            ("承德市", "1308"),
            ("保定市", "1306"),
            ("邢台市", "1305"),
            ("衡水市", "1311"),
            ("沧州市", "1309"),
            ("邯郸市", "1304"),
        ),
    ),
    Province(
        "山西省",
        "14",
        "central",
        36,
        0.01,
        (
            ("大同市", "1402"),
            ("忻州市", "1409"),
            ("吕梁市", "1411"),
            ("临汾市", "1410"),
            ("长治市", "1404"),
            ("朔州市", "1406"),
        ),
    ),
    Province(
        "内蒙古自治区",
        "15",
        "western",
        31,
        0.2,
        (
            ("赤峰市", "1504"),
            ("兴安盟", "1522"),
            ("乌兰察布市", "1509"),
            ("通辽市", "1505"),
            ("锡林郭勒盟", "1525"),
            ("呼伦贝尔市", "1507"),
        ),
    ),
    Province(
        "吉林省",
        "22",
        "central",
        8,
        0.03,
        (
            ("白城市", "2208"),
            ("延边朝鲜族自治州", "2224"),
            ("白山市", "2206"),
            ("通化市", "2205"),
            ("松原市", "2207"),
        ),
    ),
    Province(
        "黑龙江省",
        "23",
        "central",
        20,
        0.02,
        (
            ("齐齐哈尔市", "2302"),
            ("绥化市", "2312"),
            ("哈尔滨市", "2301"),
            ("佳木斯市", "2308"),
            ("大兴安岭地区", "2327"),
        ),
    ),
    Province(
        "安徽省",
        "34",
        "central",
        20,
        0.01,
        (("阜阳市", "3412"), ("六安市", "3415"), ("安庆市", "3408"), ("宿州市", "3413"), ("亳州市", "3416")),
    ),
    Province(
        "江西省",
        "36",
        "central",
        24,
        0.01,
        (("赣州市", "3607"), ("吉安市", "3608"), ("上饶市", "3611"), ("抚州市", "3610"), ("萍乡市", "3603")),
    ),
    Province(
        "河南省",
        "41",
        "central",
        38,
        0.02,
        (
            ("南阳市", "4113"),
            ("信阳市", "4115"),
            ("周口市", "4116"),
            ("驻马店市", "4117"),
            ("商丘市", "4114"),
            ("洛阳市", "4103"),
        ),
    ),
    Province(
        "湖北省",
        "42",
        "central",
        28,
        0.08,
        (
            ("恩施土家族苗族自治州", "4228"),
            ("十堰市", "4203"),
            ("黄冈市", "4211"),
            ("孝感市", "4209"),
            ("宜昌市", "4205"),
        ),
    ),
    Province(
        "湖南省",
        "43",
        "central",
        40,
        0.1,
        (
            ("湘西土家族苗族自治州", "4331"),
            ("怀化市", "4312"),
            ("邵阳市", "4305"),
            ("张家界市", "4308"),
            ("永州市", "4311"),
            ("郴州市", "4310"),
        ),
    ),
    Province(
        "广西壮族自治区",
        "45",
        "western",
        33,
        0.55,
        (
            ("河池市", "4512"),
            ("百色市", "4510"),
            ("崇左市", "4514"),
            ("来宾市", "4513"),
            ("柳州市", "4502"),
            ("桂林市", "4503"),
        ),
    ),
    Province("海南省", "46", "central", 5, 0.3, (("省直辖县级行政区划", "4690"),)),
    Province("重庆市", "50", "western", 14, 0.12, (("县", "5002"),)),
    Province(
        "四川省",
        "51",
        "western",
        66,
        0.1,
        (
            ("凉山彝族自治州", "5134"),
            ("甘孜藏族自治州", "5133"),
            ("阿坝藏族羌族自治州", "5132"),
            ("巴中市", "5119"),
            ("广元市", "5108"),
            ("南充市", "5113"),
            ("达州市", "5117"),
        ),
    ),
    Province(
        "贵州省",
        "52",
        "western",
        66,
        0.45,
        (
            ("毕节市", "5205"),
            ("铜仁市", "5206"),
            ("黔东南苗族侗族自治州", "5226"),
            ("黔南布依族苗族自治州", "5227"),
            ("黔西南布依族苗族自治州", "5223"),
            ("遵义市", "5203"),
            ("六盘水市", "5202"),
            ("安顺市", "5204"),
        ),
    ),
    Province(
        "云南省",
        "53",
        "western",
        88,
        0.4,
        (
            ("昭通市", "5306"),
            ("曲靖市", "5303"),
            ("文山壮族苗族自治州", "5326"),
            ("红河哈尼族彝族自治州", "5325"),
            ("怒江傈僳族自治州", "5333"),
            ("楚雄彝族自治州", "5323"),
            ("普洱市", "5308"),
            ("临沧市", "5309"),
            ("大理白族自治州", "5329"),
            ("昆明市", "5301"),
        ),
    ),
    Province(
        "西藏自治区",
        "54",
        "western",
        74,
        0.95,
        (
            ("拉萨市", "5401"),
            ("日喀则市", "5402"),
            ("昌都市", "5403"),
            ("林芝市", "5404"),
            ("山南市", "5405"),
            ("那曲市", "5406"),
            ("阿里地区", "5425"),
        ),
    ),
    Province(
        "陕西省",
        "61",
        "western",
        56,
        0.01,
        (
            ("榆林市", "6108"),
            ("延安市", "6106"),
            ("汉中市", "6107"),
            ("安康市", "6109"),
            ("商洛市", "6110"),
            ("宝鸡市", "6103"),
            ("渭南市", "6105"),
        ),
    ),
    Province(
        "甘肃省",
        "62",
        "western",
        58,
        0.08,
        (
            ("定西市", "6211"),
            ("陇南市", "6212"),
            ("天水市", "6205"),
            ("临夏回族自治州", "6229"),
            ("甘南藏族自治州", "6230"),
            ("平凉市", "6208"),
            ("庆阳市", "6210"),
            ("武威市", "6206"),
        ),
    ),
    Province(
        "青海省",
        "63",
        "western",
        42,
        0.4,
        (
            ("海东市", "6302"),
            ("玉树藏族自治州", "6327"),
            ("果洛藏族自治州", "6326"),
            ("黄南藏族自治州", "6323"),
            ("海南藏族自治州", "6325"),
            ("海北藏族自治州", "6322"),
        ),
    ),
    Province(
        "宁夏回族自治区",
        "64",
        "western",
        8,
        0.35,
        (("固原市", "6404"), ("吴忠市", "6403"), ("中卫市", "6405")),
    ),
    Province(
        "新疆维吾尔自治区",
        "65",
        "western",
        32,
        0.8,
        (
            ("喀什地区", "6531"),
            ("和田地区", "6532"),
            ("克孜勒苏柯尔克孜自治州", "6530"),
            ("阿克苏地区", "6529"),
            ("伊犁哈萨克自治州", "6540"),
        ),
    ),
)

PROVINCE_BY_NAME: dict[str, Province] = {p.name: p for p in PROVINCES}
# Short names users type (云南, 广西 …) → full names.
PROVINCE_ALIASES: dict[str, str] = {}
for _p in PROVINCES:
    PROVINCE_ALIASES[_p.name] = _p.name
    PROVINCE_ALIASES[_p.code] = _p.name
    for _suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if _p.name.endswith(_suffix):
            PROVINCE_ALIASES[_p.name[: -len(_suffix)]] = _p.name
            break

# Prefectures held to the western 3% threshold although their province is central (seed 001: 延边).
WESTERN_STANDARD_CITIES = {"2224"}

# Prefectures whose minority villages use Tibetan or Uyghur personal names.
TIBETAN_NAME_CITIES = {"5133", "5132", "6230", "6327", "6326", "6323", "6325", "6322"}
UYGHUR_NAME_CITIES = {"6531", "6532", "6530", "6529", "6540"}

TOTAL_POOR_COUNTIES = sum(p.poor_counties for p in PROVINCES)  # 832


def resolve_province(name: str) -> Province | None:
    full = PROVINCE_ALIASES.get(name.strip())
    return PROVINCE_BY_NAME.get(full) if full else None


def name_style(province: Province, city_code: str) -> str:
    """Personal-name style of the minority villages of a prefecture: han | tibetan | uyghur."""
    if province.code == "54" or city_code in TIBETAN_NAME_CITIES:
        return "tibetan"
    if city_code in UYGHUR_NAME_CITIES:
        return "uyghur"
    return "han"


def minority_base(province: Province, city_name: str) -> float:
    """Share of minority-dominated townships: high in autonomous prefectures (…自治州)."""
    if "自治州" in city_name or province.code == "54":
        return max(province.minority_base, 0.75)
    return province.minority_base
